/**
 * `@hpke/core`'s declarations name the global Web Crypto types `CryptoKey` and `CryptoKeyPair`,
 * which TypeScript only provides with the DOM library; this project compiles for Node (lib ES2022,
 * no DOM), so they would resolve to nothing. Declare them as Node's identical Web Crypto types.
 * Interfaces (not type aliases) so that they merge with any other declaration, including the DOM's.
 */
import type { webcrypto } from 'node:crypto';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface CryptoKey extends webcrypto.CryptoKey {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface CryptoKeyPair extends webcrypto.CryptoKeyPair {}
}
