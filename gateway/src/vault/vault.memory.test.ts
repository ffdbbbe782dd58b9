import { MemoryVault } from './memory-vault.js';
import { runVaultCompliance } from './vault.compliance.js';

runVaultCompliance('MemoryVault', () =>
  Promise.resolve({
    open: () => Promise.resolve(new MemoryVault()),
    durable: false,
    cleanup: () => Promise.resolve(),
  }),
);
