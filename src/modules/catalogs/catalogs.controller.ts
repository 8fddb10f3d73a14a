import { Body, Controller, Get, HttpCode, Param, Post, Query, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.js';
import { CsvBody } from '../../common/csv-body.js';
import { StreamedBody } from '../../common/streamed-body.js';
import { ApiBodyMediaTypes } from '../../common/openapi/api-body-media-types.decorator.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { AuditAction } from '../audit/audit-scope.js';
import { FRAMEWORK_CODE } from '../compliance/records/dto/record-rules.js';
import { CATALOG_IMPORT_BODY_LIMIT_BYTES, CATALOGS_ROUTE } from './catalogs.routes.js';
import { catalogNotFound, CatalogsService } from './catalogs.service.js';
import { ControlGraphService, controlNotFound } from './control-graph.service.js';
import { CatalogImportResponse } from './dto/catalog-import.response.js';
import { ImportCatalogQuery } from './dto/import-catalog.query.js';
import { ImportMappingsBody } from './dto/import-mappings.body.js';
import { ImportMappingsQuery } from './dto/import-mappings.query.js';
import { MappingImportResponse } from './dto/mapping-import.response.js';
import { RelatedControlsQuery } from './dto/related-controls.query.js';
import { RelatedControlsResponse } from './dto/related-controls.response.js';
import { MAPPING_CSV_COLUMNS, MAPPING_CSV_EXAMPLE } from './mapping-csv.js';
import { MappingImportService } from './mapping-import.service.js';

/** A path framework code in any case; one that cannot be a code names no catalog (404, like an unknown one). */
class FrameworkCodePipe implements PipeTransform<unknown, string> {
  constructor(private readonly notFound = catalogNotFound) {}

  transform(value: unknown): string {
    const code = typeof value === 'string' ? value.toUpperCase() : '';
    if (!FRAMEWORK_CODE.test(code)) throw this.notFound();
    return code;
  }
}

/** A path control id or label: printable ASCII up to a control id's length; anything else names no control. */
class ControlRefPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(value)) throw controlNotFound();
    return value;
  }
}

const OSCAL_CATALOG_SCHEMA = 'https://github.com/usnistgov/OSCAL/releases/download/v1.0.6/oscal_catalog_schema.json';

@ApiTags('catalogs')
@Controller(CATALOGS_ROUTE)
export class CatalogsController {
  constructor(
    private readonly catalogs: CatalogsService,
    private readonly graph: ControlGraphService,
    private readonly mappingImport: MappingImportService,
  ) {}

  @Post('import')
  @HttpCode(200)
  @Roles('admin')
  @AuditAction('catalog.imported')
  @ApiOperation({
    operationId: 'importCatalog',
    summary: 'Import an OSCAL catalog as the control catalog of a framework',
    description:
      'Idempotent: a re-import updates changed controls, adds new ones and deletes those the catalog no ' +
      'longer has, never duplicating. One transaction. Up to 16 MiB of JSON, parsed as it arrives.',
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
    @StreamedBody() body: AsyncIterable<Buffer>,
  ): Promise<CatalogImportResponse> {
    return this.catalogs.importStream(query.framework, body, CATALOG_IMPORT_BODY_LIMIT_BYTES);
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

  @Post('mappings/import')
  @HttpCode(200)
  @Roles('admin')
  @AuditAction('catalog.mappings-imported')
  @ApiOperation({
    operationId: 'importControlMappings',
    summary: 'Import typed mappings between controls (NIST OLIR relationships)',
    description:
      'Both ends of every mapping must be controls of imported catalogs; otherwise a 400 names each bad ' +
      "item's path and nothing is written. Idempotent per (from, to, relationship, source): a re-import " +
      'updates strength and rationale, never duplicates. One transaction. The body is JSON, or CSV ' +
      `(RFC 4180, UTF-8, header \`${MAPPING_CSV_COLUMNS.join(',')}\`, \`source\` in the query) whose ` +
      'problems name their line (`line 3, relationship`). Up to 4 MiB.',
  })
  @ApiBody({ type: ImportMappingsBody, description: 'The mappings, as JSON or as CSV' })
  @ApiBodyMediaTypes({ 'text/csv': { schema: { type: 'string' }, example: MAPPING_CSV_EXAMPLE } })
  @ApiOkResponse({ type: MappingImportResponse })
  @ApiProblem(415, 'Bodies must be application/json or text/csv (UTF-8)', 'unsupported-media-type')
  importMappings(
    @Query() query: ImportMappingsQuery,
    // Typed as a union, so the global pipe leaves the body to the service, which knows both formats.
    @Body() body: CsvBody | Record<string, unknown>,
  ): Promise<MappingImportResponse> {
    return body instanceof CsvBody
      ? this.mappingImport.fromCsv(body.text, query.source)
      : this.mappingImport.fromJson(body, query.source);
  }

  @Get(':framework/controls/:control/related')
  @ApiOperation({
    operationId: 'relatedControls',
    summary: 'Controls related to a control through mappings, with the path to each',
    description:
      'Follows mapping edges in both directions (an edge walked in reverse reads as its inverse: ' +
      'subset-of ↔ superset-of; equivalent, intersects-with and related read the same both ways), up to ' +
      '`depth` edges, never revisiting a control on the path. Each control appears once, at its shortest depth.',
  })
  @ApiParam({ name: 'framework', example: 'NIST-800-53-LOW', description: 'A framework code, in any case' })
  @ApiParam({ name: 'control', example: 'ac-2', description: 'OSCAL id or label of the start control' })
  @ApiOkResponse({ type: RelatedControlsResponse })
  @ApiProblem(404, 'The framework has no catalog, or its catalog no such control', 'control-not-found')
  related(
    @Param('framework', new FrameworkCodePipe(controlNotFound)) framework: string,
    @Param('control', new ControlRefPipe()) control: string,
    @Query() query: RelatedControlsQuery,
  ): Promise<RelatedControlsResponse> {
    return this.graph.related(framework, control, query.relationships, query.depth, query.limit);
  }
}
