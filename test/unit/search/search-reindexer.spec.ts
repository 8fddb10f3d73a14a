import { ProblemException } from '../../../src/common/problem';
import type { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import type { JobQueue } from '../../../src/infrastructure/queue/job-queue';
import type { PostgresSearchEngine } from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import { SearchReindexer } from '../../../src/modules/search/jobs/search-reindex.job';
import { SearchDocumentSources } from '../../../src/modules/search/search-document-source';
import type { SearchRepository } from '../../../src/modules/search/search.repository';

describe('SearchReindexer.start', () => {
  it('refuses with 409 search-source-missing when no module provides the index', async () => {
    const queue = { add: jest.fn() } as unknown as JobQueue;
    const reindexer = new SearchReindexer(
      {} as PostgresSearchEngine,
      null,
      queue,
      new SearchDocumentSources(),
      {} as SearchRepository,
      {} as TransactionContext,
    );
    const refusal = await reindexer.start('users').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProblemException);
    expect(refusal).toMatchObject({ problemType: 'search-source-missing' });
    expect((refusal as ProblemException).getStatus()).toBe(409);
    expect(queue.add).not.toHaveBeenCalled();
  });
});
