import { Injectable } from '@nestjs/common';
import { controlNotFound } from './control-graph.service.js';
import { ControlImpactRepository } from './control-impact.repository.js';
import { IMPACT_CONTROL_LIMIT, type ControlImpactQuery } from './dto/control-impact.query.js';
import type { ControlImpactResponse } from './dto/control-impact.response.js';

/** What else a failed control puts in question, and for whom. */
@Injectable()
export class ControlImpactService {
  constructor(private readonly impacts: ControlImpactRepository) {}

  async impact(framework: string, control: string, query: ControlImpactQuery): Promise<ControlImpactResponse> {
    const row = await this.impacts.impact(framework, control, query.depth, IMPACT_CONTROL_LIMIT, query.limit);
    if (!row.start) throw controlNotFound();
    const controlCount = Number(row.control_count);
    return {
      control: row.start,
      depth: query.depth,
      controlCount,
      truncated: controlCount > row.controls.length,
      frameworks: row.frameworks.map((group) => ({
        framework: group.framework,
        controlCount: group.controls,
        entityCount: group.entities,
        controls: row.controls
          .filter((reached) => reached.framework === group.framework)
          .map(({ framework, control: id, title, depth, path }) => ({ framework, control: id, title, depth, path })),
      })),
      entityCount: Number(row.entity_count),
      limit: query.limit,
      entities: row.entities,
    };
  }
}
