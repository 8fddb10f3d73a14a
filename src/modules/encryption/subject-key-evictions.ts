import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DatabaseLocator } from '../../infrastructure/database/database-locator.js';
import { PostgresChannelListener } from '../../infrastructure/database/postgres-channel-listener.js';
import { SUBJECT_ERASED_CHANNEL, SubjectKeys } from './subject-keys.js';

/**
 * Drops a subject's cached key on every replica once its erasure commits. While the listener is
 * down (and on each resubscription) the whole cache goes, as erasures may have gone unheard; a
 * replica that cannot listen at all still honours an erasure within SUBJECT_KEY_CACHE_TTL_MS.
 */
@Injectable()
export class SubjectKeyEvictions implements OnApplicationBootstrap, OnModuleDestroy {
  private listener?: PostgresChannelListener;

  constructor(
    private readonly keys: SubjectKeys,
    private readonly locator: DatabaseLocator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listener = new PostgresChannelListener(await this.locator.sessionTarget(), {
      channel: SUBJECT_ERASED_CHANNEL,
      name: 'erasures',
      what: 'erased subjects',
      onNotification: (subjectId) => this.keys.evict(subjectId),
      onReset: () => this.keys.evict(),
    });
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.stop();
  }
}
