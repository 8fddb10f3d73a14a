import { Injectable } from '@nestjs/common';
import { catalogNotFound } from './catalogs.service.js';
import { CentralityRepository } from './centrality.repository.js';
import type { CentralityQuery } from './dto/centrality.query.js';
import type { CentralityResponse } from './dto/centrality.response.js';

/** Which controls satisfy the most requirements across frameworks, by the mapping graph. */
@Injectable()
export class CentralityService {
  constructor(private readonly centrality: CentralityRepository) {}

  /** Scores as last computed; before the first computation, none (`computedAt` null). */
  async ranking(query: CentralityQuery): Promise<CentralityResponse> {
    const framework = query.framework ?? null;
    if (framework !== null && !(await this.centrality.catalogExists(framework))) throw catalogNotFound();
    const [computedAt, pending, rows] = await Promise.all([
      this.centrality.computedAt(),
      this.centrality.pendingRequest(),
      this.centrality.ranking(framework, query.limit),
    ]);
    return {
      computedAt: computedAt?.toISOString() ?? null,
      pending: pending !== undefined,
      framework,
      limit: query.limit,
      controls: rows.map((row, i) => ({
        rank: i + 1,
        framework: row.framework,
        control: row.control_id,
        label: row.label,
        title: row.title,
        degree: row.degree,
        frameworks: row.frameworks,
        score: row.score,
      })),
    };
  }
}
