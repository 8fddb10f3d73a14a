import type { ElasticsearchService } from '@nestjs/elasticsearch';
import type { ElasticsearchSettings } from '../../config/elasticsearch-settings.js';

export type ElasticsearchClientOptions = ConstructorParameters<typeof ElasticsearchService>[0];

/**
 * The client's options for the settings. Requests take turns among the nodes (the client's
 * weighted round robin; a node that fails is skipped until a ping finds it back).
 */
export function elasticsearchClientOptions(settings: ElasticsearchSettings): ElasticsearchClientOptions {
  return {
    nodes: settings.nodes,
    ...(settings.auth && { auth: settings.auth }),
    ...(settings.ca && { tls: { ca: settings.ca } }),
    // Sniffing replaces the list with the addresses the nodes publish, which behind a load
    // balancer or proxy are unreachable: only when asked.
    sniffOnStart: settings.sniff,
    sniffOnConnectionFault: settings.sniff,
    requestTimeout: 5_000,
    // No client-side retries: the transport waits 1-2 s before each one, while a failed search
    // is better answered from Postgres at once and a failed sync batch is retried by its job.
    maxRetries: 0,
  };
}
