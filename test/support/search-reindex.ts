import type { SearchIndexName } from '../../src/infrastructure/search/search-document.js';
import type { AuthenticatedAgent } from './app.js';
import { waitFor } from './wait-for.js';

export interface FinishedReindexRun {
  status: string;
  processed: number;
  failure: string | null;
}

/** Starts `POST /admin/search/reindex?index=` as `admin` and polls the run until it is no longer running. */
export async function reindex(admin: AuthenticatedAgent, index: SearchIndexName): Promise<FinishedReindexRun> {
  const started = await admin.post(`/admin/search/reindex?index=${index}`).expect(202);
  let run = started.body as FinishedReindexRun;
  await waitFor(async () => {
    run = (await admin.get(started.headers.location).expect(200)).body;
    return run.status !== 'running';
  });
  return run;
}

/** What the Postgres engine stores for one document, as JSON text (to assert on what never gets there). */
export const storedDocumentSql = `SELECT row_to_json(d)::text AS row FROM search_documents d
  WHERE index_name = $1 AND document_id = $2`;

export interface SearchBody {
  total: number;
  hits: { id: string; title: string; keywords: Record<string, string> }[];
  facets: Record<string, { value: string; count: number }[]>;
}

/** `GET /search` on one index as `agent`, expecting 200. */
export async function searchIndex(
  agent: AuthenticatedAgent,
  index: SearchIndexName,
  query: Record<string, string>,
): Promise<SearchBody> {
  return (
    await agent
      .get('/search')
      .query({ index, ...query })
      .expect(200)
  ).body as SearchBody;
}
