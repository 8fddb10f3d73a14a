import type { RecordResponse } from '../dto/record.response.js';
import type { CachedView } from './record-cache.js';

/** The view to cache for a titled record read at the control graph's `generation`. */
export function cachedView(record: RecordResponse, generation: string): CachedView {
  const { evidenceNotes, ...rest } = record;
  return { id: record.id, version: record.version, generation, json: JSON.stringify(rest), evidenceNotes };
}

/** The response body: the stored JSON with the notes appended as its last property, no parse. */
export function responseBody(view: CachedView): string {
  return `${view.json.slice(0, -1)},"evidenceNotes":${JSON.stringify(view.evidenceNotes)}}`;
}
