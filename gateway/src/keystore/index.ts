export { FileKeyStore } from './file-key-store.js';
export { MemoryKeyStore } from './memory-key-store.js';
