import { Body, Controller, Get, HttpCode, Param, Post, Query, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { AuditAction } from '../audit/audit-scope.js';
import { FRAMEWORK_CODE } from '../compliance/records/dto/record-rules.js';
import { CATALOGS_ROUTE } from './catalogs.routes.js';
import { catalogNotFound, CatalogsService } from './catalogs.service.js';
import { CatalogImportResponse } from './dto/catalog-import.response.js';
import { ImportCatalogQuery } from './dto/import-catalog.query.js';

/** A path framework code in any case; one that cannot be a code names no catalog (404, like an unknown one). */
class FrameworkCodePipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const code = typeof value === 'string' ? value.toUpperCase() : '';
    if (!FRAMEWORK_CODE.test(code)) throw catalogNotFound();
    return code;
  }
}

const OSCAL_CATALOG_SCHEMA = 'https://github.com/usnistgov/OSCAL/releases/download/v1.0.6/oscal_catalog_schema.json';

@ApiTags('catalogs')
@Controller(CATALOGS_ROUTE)
export class CatalogsController {
  constructor(private readonly catalogs: CatalogsService) {}

  @Post('import')
  @HttpCode(200)
  @Roles('admin')
  @AuditAction('catalog.imported')
  @ApiOperation({
    operationId: 'importCatalog',
    summary: 'Import an OSCAL catalog as the control catalog of a framework',
    description:
      'Idempotent: a re-import updates changed controls, adds new ones and deletes those the catalog no ' +
      'longer has, never duplicating. One transaction. Up to 16 MiB of JSON.',
  })
  @ApiBody({
    description: `An OSCAL catalog document (JSON), as defined by ${OSCAL_CATALOG_SCHEMA}`,
    schema: {
      type: 'object',
      additionalProperties: true,
      required: ['catalog'],
      properties: {
        catalog: { type: 'object', additionalProperties: true, description: 'uuid, metadata, groups, controls…' },
      },
    },
  })
  @ApiOkResponse({ type: CatalogImportResponse })
  import(
    @Query() query: ImportCatalogQuery,
    @Body() document: Record<string, unknown>,
  ): Promise<CatalogImportResponse> {
    return this.catalogs.import(query.framework, document);
  }

  @Get(':framework')
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'exportCatalog',
    summary: 'Export the control catalog of a framework as OSCAL',
    description: `An OSCAL catalog document (${OSCAL_CATALOG_SCHEMA}), groups and controls in imported order.`,
  })
  @ApiParam({ name: 'framework', example: 'NIST-800-53-MODERATE', description: 'A framework code, in any case' })
  @ApiOkResponse({
    description: 'The OSCAL catalog',
    schema: {
      type: 'object',
      required: ['catalog'],
      properties: { catalog: { type: 'object', additionalProperties: true } },
    },
  })
  @ApiProblem(404, 'The framework has no control catalog', 'catalog-not-found')
  export(
    @Param('framework', new FrameworkCodePipe()) framework: string,
  ): Promise<{ catalog: Record<string, unknown> }> {
    return this.catalogs.export(framework);
  }
}
