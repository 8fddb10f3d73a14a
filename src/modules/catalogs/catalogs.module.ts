import { Module } from '@nestjs/common';
import { CONTROL_GRAPH_CACHE_PROVIDERS } from './cache/control-graph-cache.providers.js';
import { CatalogsController } from './catalogs.controller.js';
import { CatalogsRepository } from './catalogs.repository.js';
import { CatalogsService } from './catalogs.service.js';
import { ControlGraphRepository } from './control-graph.repository.js';
import { ControlGraphService } from './control-graph.service.js';

/** Control catalogs per framework (OSCAL in and out) and the mapping edges between controls. */
@Module({
  controllers: [CatalogsController],
  providers: [CatalogsRepository, CatalogsService, ControlGraphRepository, ControlGraphService, ...CONTROL_GRAPH_CACHE_PROVIDERS],
  exports: [CatalogsService],
})
export class CatalogsModule {}
