import { randomBytes } from 'node:crypto';

/** Fresh, throwaway keys for booting the app with NODE_ENV=production in a test. */
export function productionSecrets(): Record<string, string> {
  return {
    ENCRYPTION_KEYS: JSON.stringify({ active: 'k1', keys: { k1: randomBytes(32).toString('base64') } }),
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    AUDIT_CHECKPOINT_KEY: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
  };
}
