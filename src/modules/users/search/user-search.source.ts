import { Injectable, OnModuleInit } from '@nestjs/common';
import type { SearchDocument } from '../../../infrastructure/search/search-document.js';
import { SearchDocumentSource, SearchDocumentSources } from '../../search/search-document-source.js';
import { userSnapshot } from '../user-events.js';
import { UsersRepository } from '../users.repository.js';
import { userSearchDocument } from './user-search-document.js';

/** What `POST /admin/search/reindex?index=users` rebuilds from: every user, by id, without decrypting anything. */
@Injectable()
export class UserSearchSource implements SearchDocumentSource, OnModuleInit {
  readonly index = 'users' as const;

  constructor(
    private readonly sources: SearchDocumentSources,
    private readonly users: UsersRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async *stream(batchSize: number): AsyncIterable<SearchDocument[]> {
    let after: string | undefined;
    for (;;) {
      const batch = await this.users.plainColumnsAfter(after, batchSize);
      if (!batch.length) return;
      yield batch.map((user) => userSearchDocument(userSnapshot(user)));
      after = batch[batch.length - 1].id;
    }
  }
}
