import { requireConsortiumAdmin, requireParticipant } from './authz';
import { checkNothingRemoved, configKey, loadConfig, parseConfig } from './config';
import { fail } from './errors';
import type { ConsortiumConfig } from './model';
import type { Tx } from './tx';

/**
 * Writes the first consortium configuration. The caller must be an administrator of one of the
 * admin MSPs the configuration itself names, so the founding organisation names itself.
 */
export async function initConsortium(tx: Tx, text: string): Promise<ConsortiumConfig> {
  const input = parseConfig(text);
  requireConsortiumAdmin(tx, input.adminMsps);
  if (await tx.exists(configKey(tx))) fail('ALREADY_INITIALISED');
  const config: ConsortiumConfig = { ...input, version: 1, updatedAt: tx.at, updatedTx: tx.txId };
  await tx.put(configKey(tx), config);
  tx.emit('ConsortiumConfigured', { version: 1 });
  return config;
}

/**
 * Replaces the configuration. Only administrators of the current admin MSPs may, and nothing that
 * earlier records refer to (categories, schema versions, purposes, alliances, organisations) may go.
 */
export async function updateConsortium(tx: Tx, text: string): Promise<ConsortiumConfig> {
  const input = parseConfig(text);
  const previous = await loadConfig(tx);
  requireConsortiumAdmin(tx, previous.adminMsps);
  checkNothingRemoved(previous, input);
  const config: ConsortiumConfig = {
    ...input,
    version: previous.version + 1,
    updatedAt: tx.at,
    updatedTx: tx.txId,
  };
  await tx.put(configKey(tx), config);
  tx.emit('ConsortiumConfigured', { version: config.version });
  return config;
}

/** The configuration, for every participant. */
export async function getConsortium(tx: Tx): Promise<ConsortiumConfig> {
  const config = await loadConfig(tx);
  requireParticipant(tx, config);
  return config;
}
