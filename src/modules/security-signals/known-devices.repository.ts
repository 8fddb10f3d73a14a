import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

export interface RememberedDevice {
  /** This login is the first from the device. */
  isNew: boolean;
  /** Devices the account had before this login. */
  knownBefore: number;
}

/**
 * The device fingerprints each account has logged in from (`user_known_devices`), written outside
 * the login's transaction: a failed write here must not abort the login.
 */
@QueryOwner()
@Injectable()
export class KnownDevicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records the device (or its last use) and says whether it was new, in one statement. */
  async remember(userId: string, fingerprint: string): Promise<RememberedDevice> {
    const [row] = (await this.dataSource.query(
      `WITH before AS (SELECT count(*)::int AS known FROM user_known_devices WHERE user_id = $1),
            upserted AS (
              INSERT INTO user_known_devices (user_id, fingerprint) VALUES ($1, $2)
              ON CONFLICT (user_id, fingerprint) DO UPDATE SET last_seen_at = now()
              RETURNING (xmax = 0) AS is_new)
       SELECT upserted.is_new, before.known FROM upserted, before`,
      [userId, fingerprint],
    )) as { is_new: boolean; known: number }[];
    return { isNew: row.is_new, knownBefore: row.known };
  }
}
