export { AuthError, type AuthErrorCode, type AuthErrorOptions } from './errors.js';
export { LevelTokenStore } from './level-token-store.js';
export { MemoryTokenStore } from './memory-token-store.js';
export { REDACTED, redact } from './redact.js';
export { TOKEN_ROLES, type TokenRecord, type TokenRole, type TokenStore } from './token-store.js';
export {
  ApiTokens,
  generateToken,
  hashToken,
  isTokenFormat,
  type ApiTokensOptions,
  type IssuedToken,
  type TokenInfo,
  type TokenRequest,
} from './tokens.js';
