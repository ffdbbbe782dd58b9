import { MemoryTokenStore } from './memory-token-store.js';
import { runTokenStoreCompliance } from './token-store.compliance.js';

runTokenStoreCompliance('MemoryTokenStore', () =>
  Promise.resolve({
    open: () => Promise.resolve(new MemoryTokenStore()),
    durable: false,
    cleanup: () => Promise.resolve(),
  }),
);
