import { Module } from '@nestjs/common';
import { CONTROL_GRAPH_CACHE_PROVIDERS } from './cache/control-graph-cache.providers.js';
import { CatalogsController } from './catalogs.controller.js';
import { CatalogsRepository } from './catalogs.repository.js';
import { CatalogsService } from './catalogs.service.js';
import { CentralityRequester } from './centrality.consumer.js';
import { CentralityJob } from './centrality.job.js';
import { CentralityRepository } from './centrality.repository.js';
import { CentralityService } from './centrality.service.js';
import { ControlGraphController } from './control-graph.controller.js';
import { ControlGraphRepository } from './control-graph.repository.js';
import { ControlGraphService } from './control-graph.service.js';
import { ControlImpactRepository } from './control-impact.repository.js';
import { ControlImpactService } from './control-impact.service.js';
import { CoverageRepository } from './coverage.repository.js';
import { CoverageService } from './coverage.service.js';
import { MappingImportService } from './mapping-import.service.js';
import { ControlSearchIndexer } from './search/control-search.consumer.js';
import { ControlSearchRepository } from './search/control-search.repository.js';
import { ControlSearchSource } from './search/control-search.source.js';
import { SearchModule } from '../search/search.module.js';

/** Control catalogs per framework (OSCAL in and out) and the mapping edges between controls. */
@Module({
  imports: [SearchModule],
  controllers: [CatalogsController, ControlGraphController],
  providers: [
    CatalogsRepository,
    CatalogsService,
    ControlGraphRepository,
    ControlGraphService,
    MappingImportService,
    ...CONTROL_GRAPH_CACHE_PROVIDERS,
    ControlSearchRepository,
    ControlSearchIndexer,
    ControlSearchSource,
    CoverageRepository,
    CoverageService,
    ControlImpactRepository,
    ControlImpactService,
    CentralityRepository,
    CentralityService,
    CentralityRequester,
    CentralityJob,
  ],
  exports: [CatalogsService],
})
export class CatalogsModule {}
