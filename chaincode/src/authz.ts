import { findOrganisation } from './config';
import { fail } from './errors';
import type { ConsortiumConfig, Party } from './model';
import type { Tx } from './tx';

/*
 * Authorisation from the caller's MSP id and certificate attributes (`role`, `institution`).
 * Which MSPs are members or regulators comes from the ledger configuration.
 */

const INSTITUTION = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

function requireRole(tx: Tx, ...roles: string[]): void {
  const role = tx.caller.role;
  if (role === null || !roles.includes(role)) {
    fail(
      'ROLE_FORBIDDEN',
      `this transaction needs role ${roles.join(' or ')}; the caller has ${role ?? 'no role'}`,
    );
  }
}

function requireOrgKind(tx: Tx, config: ConsortiumConfig, kind: 'member' | 'regulator'): void {
  const org = findOrganisation(config, tx.caller.mspId);
  if (org?.kind !== kind)
    fail('ORG_FORBIDDEN', `${tx.caller.mspId} is not a ${kind} organisation of the consortium`);
}

/** A member institution's officer: role `member`, a member MSP and an institution attribute. */
export function requireMember(tx: Tx, config: ConsortiumConfig): Party {
  requireRole(tx, 'member');
  requireOrgKind(tx, config, 'member');
  const institution = tx.caller.institution;
  if (institution === null || !INSTITUTION.test(institution)) fail('IDENTITY_INCOMPLETE');
  return { mspId: tx.caller.mspId, institution };
}

/** A regulator: role `regulator` in a regulator MSP. */
export function requireRegulator(tx: Tx, config: ConsortiumConfig): void {
  requireRole(tx, 'regulator');
  requireOrgKind(tx, config, 'regulator');
}

/** An administrator of a configured organisation. */
export function requireOrgAdmin(tx: Tx, config: ConsortiumConfig): void {
  requireRole(tx, 'admin');
  if (!findOrganisation(config, tx.caller.mspId))
    fail('ORG_FORBIDDEN', `${tx.caller.mspId} is not an organisation of the consortium`);
}

/** An administrator of one of the configuration's admin MSPs. */
export function requireConsortiumAdmin(tx: Tx, adminMsps: string[]): void {
  requireRole(tx, 'admin');
  if (!adminMsps.includes(tx.caller.mspId))
    fail('ORG_FORBIDDEN', `${tx.caller.mspId} may not change the consortium configuration`);
}

/** How much of the ledger a query may show the caller. */
export type Audience = { kind: 'regulator' } | { kind: 'member'; mspId: string; institution: string | null };

/** Any identity of a configured organisation with a known role; regulators see everything. */
export function requireParticipant(tx: Tx, config: ConsortiumConfig): Audience {
  requireRole(tx, 'member', 'regulator', 'admin');
  const org = findOrganisation(config, tx.caller.mspId);
  if (!org) fail('ORG_FORBIDDEN', `${tx.caller.mspId} is not an organisation of the consortium`);
  if (tx.caller.role === 'regulator') {
    if (org.kind !== 'regulator') fail('ORG_FORBIDDEN', `${tx.caller.mspId} is not a regulator organisation`);
    return { kind: 'regulator' };
  }
  return { kind: 'member', mspId: tx.caller.mspId, institution: tx.caller.institution };
}
