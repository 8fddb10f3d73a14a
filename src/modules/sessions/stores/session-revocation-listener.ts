import type { SessionTarget } from '../../../infrastructure/database/database-locator.js';
import { PostgresChannelListener } from '../../../infrastructure/database/postgres-channel-listener.js';

/** The channel the revoking statement notifies, with the revoked token hashes comma-separated. */
export const REVOCATION_CHANNEL = 'ck_session_revoked';

/** Revoked sessions, heard from every replica (see PostgresChannelListener). */
export class SessionRevocationListener extends PostgresChannelListener {
  constructor(target: SessionTarget, onRevoked: (tokenHashes: string[]) => void, onReset: () => void) {
    super(target, {
      channel: REVOCATION_CHANNEL,
      name: 'revocations',
      what: 'revoked sessions',
      onNotification: (payload) => onRevoked(payload.split(',')),
      onReset,
    });
  }
}
