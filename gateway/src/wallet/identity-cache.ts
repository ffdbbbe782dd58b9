/**
 * Decrypted identities kept in memory for the life of a gateway: opening a stored identity runs
 * scrypt (about 32 MiB and tens of milliseconds of CPU), which must not happen on every request that
 * signs as an officer. Failed and missing lookups are not kept, so an identity added later is found.
 *
 * @packageDocumentation
 */
import type { Identity, Wallet } from './wallet.js';

/** Looks up identities by user, opening each one once. */
export type IdentityLookup = (user: string) => Promise<Identity | undefined>;

/** A lookup over `wallet` that opens each user's identity once and shares concurrent lookups. */
export function cachedIdentities(wallet: Pick<Wallet, 'get'>): IdentityLookup {
  const opened = new Map<string, Promise<Identity | undefined>>();
  return (user) => {
    let identity = opened.get(user);
    if (!identity) {
      identity = wallet.get(user);
      opened.set(user, identity);
      identity.then(
        (found) => {
          if (found === undefined) opened.delete(user);
        },
        () => opened.delete(user),
      );
    }
    return identity;
  };
}
