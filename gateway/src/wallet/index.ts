export { EncryptedWallet, type WalletSecret } from './encrypted-wallet.js';
export { WalletError, type WalletErrorCode, type WalletErrorOptions } from './errors.js';
export { FileWallet, IDENTITY_SUFFIX } from './file-wallet.js';
export { SALT_BYTES, SCRYPT_PARAMS } from './kdf.js';
export { MemoryWallet } from './memory-wallet.js';
export type { Identity, IdentityInfo, Wallet } from './wallet.js';
