import { Module } from '@nestjs/common';
import { CatalogsController } from './catalogs.controller.js';
import { CatalogsRepository } from './catalogs.repository.js';
import { CatalogsService } from './catalogs.service.js';

/** Control catalogs per framework (OSCAL in and out) and the mapping edges between controls. */
@Module({
  controllers: [CatalogsController],
  providers: [CatalogsRepository, CatalogsService],
  exports: [CatalogsService],
})
export class CatalogsModule {}
