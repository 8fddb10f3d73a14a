import { Injectable } from '@nestjs/common';
import { ValidationProblem } from '../../common/problem.js';
import { createValidationPipe, validationProblem } from '../../common/validation.js';
import { ControlGraphService } from './control-graph.service.js';
import { ImportMappingsBody } from './dto/import-mappings.body.js';
import type { MappingImportResponse } from './dto/mapping-import.response.js';
import { onCsvLines, readMappingsCsv } from './mapping-csv.js';

/** The same pipe, and so the same rules and messages, as every request body. */
const bodyPipe = createValidationPipe();

/**
 * A mapping file in either format, JSON or CSV, checked by the JSON body's rules and written by
 * `ControlGraphService.importMappings`; a CSV file's problems name its lines.
 */
@Injectable()
export class MappingImportService {
  constructor(private readonly graph: ControlGraphService) {}

  /** `querySource`: a `?source=` beside a JSON body, which names its source itself. */
  async fromJson(document: unknown, querySource?: string): Promise<MappingImportResponse> {
    if (querySource !== undefined) {
      throw validationProblem([
        { field: 'source', messages: ['a JSON body names its source in the body; ?source= is for text/csv'] },
      ]);
    }
    return this.graph.importMappings(await validBody(document));
  }

  async fromCsv(text: string, source: string | undefined): Promise<MappingImportResponse> {
    if (source === undefined) {
      throw validationProblem([{ field: 'source', messages: ['source is required with a text/csv body (?source=…)'] }]);
    }
    const { body, lines } = readMappingsCsv(text, source);
    const onLines = (error: unknown) =>
      Promise.reject(error instanceof ValidationProblem ? onCsvLines(error, lines) : error);
    const valid = await validBody(body).catch(onLines);
    return this.graph.importMappings(valid).catch(onLines);
  }
}

function validBody(document: unknown): Promise<ImportMappingsBody> {
  return bodyPipe.transform(document, { type: 'body', metatype: ImportMappingsBody }) as Promise<ImportMappingsBody>;
}
