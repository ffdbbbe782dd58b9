import { MemoryWallet } from './memory-wallet.js';
import { runWalletCompliance } from './wallet.compliance.js';

runWalletCompliance('MemoryWallet', () => {
  const documents = new Map<string, string>();
  return Promise.resolve({
    open: (secret: string) => Promise.resolve().then(() => new MemoryWallet(secret, documents)),
    readRaw: (user: string) => Promise.resolve(documents.get(user) ?? ''),
    writeRaw: (user: string, document: string) => Promise.resolve(void documents.set(user, document)),
    cleanup: () => Promise.resolve(),
  });
});
