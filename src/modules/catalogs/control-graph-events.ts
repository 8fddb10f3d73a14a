/**
 * Appended (outbox, same transaction) whenever a catalog or mappings change. What is derived from
 * the control graph listens to it: the traversal cache, centrality scores, the `controls` search
 * index and the control titles in the `compliance` index.
 */
export const CONTROL_GRAPH_CHANGED = 'control-graph.changed';

export interface ControlGraphChangedPayload extends Record<string, unknown> {
  /** What changed: a catalog (its controls and their `related` edges) or a mapping file. */
  change: 'catalog' | 'mappings';
  /** Frameworks whose controls or edges changed (upper case). */
  frameworks: string[];
}

/** The frameworks whose catalog (not only mappings) changed in these events, each once. */
export function changedCatalogs(events: { payload: Record<string, unknown> }[]): string[] {
  const frameworks = events
    .map((event) => event.payload as ControlGraphChangedPayload)
    .filter((payload) => payload.change === 'catalog')
    .flatMap((payload) => payload.frameworks);
  return [...new Set(frameworks)].sort();
}
