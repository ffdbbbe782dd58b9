import { HPKE_SUITE, hpkePublicKeyOf, type HpkeKeyPair } from '../crypto/hpke.js';
import { decodeBase64 } from '../crypto/bytes.js';
import { KeyStoreError, type KeyStore, type OrgPublicKey } from '../ports/key-store.js';

interface HeldKey extends OrgPublicKey {
  readonly privateKey: Uint8Array;
}

/**
 * {@link KeyStore} in memory: keys added with {@link MemoryKeyStore.add}; the last one added is
 * active unless another is named. For tests and throwaway gateways.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #keys: HeldKey[] = [];
  #active: string | undefined;

  /**
   * Adds a key pair under `keyId` and makes it the active key.
   *
   * @throws {@link KeyStoreError} `KEYSTORE_INVALID` when the private key does not match the public key
   */
  async add(keyId: string, pair: HpkeKeyPair): Promise<void> {
    const privateKey = decodeBase64(pair.privateKeyB64);
    if (!privateKey || (await hpkePublicKeyOf(privateKey)) !== pair.publicKeyB64)
      throw new KeyStoreError('KEYSTORE_INVALID', `key ${keyId} does not match its public key`, { keyId });
    this.#keys.push({ keyId, suite: HPKE_SUITE, publicKey: pair.publicKeyB64, privateKey });
    this.#active = keyId;
  }

  activeKey(): Promise<OrgPublicKey> {
    const key = this.#keys.find((k) => k.keyId === this.#active);
    if (!key) return Promise.reject(new KeyStoreError('NO_ACTIVE_KEY', 'the key store holds no key'));
    return Promise.resolve(publicPart(key));
  }

  privateKey(keyId: string): Promise<Uint8Array | undefined> {
    const key = this.#keys.find((k) => k.keyId === keyId);
    return Promise.resolve(key && Uint8Array.from(key.privateKey));
  }

  list(): Promise<readonly OrgPublicKey[]> {
    return Promise.resolve(this.#keys.map(publicPart));
  }
}

function publicPart(key: OrgPublicKey): OrgPublicKey {
  return { keyId: key.keyId, suite: key.suite, publicKey: key.publicKey };
}
