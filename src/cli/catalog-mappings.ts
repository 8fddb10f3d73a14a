import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeUtf8 } from '../common/json-body.js';
import { ValidationProblem } from '../common/problem.js';
import { MappingImportService } from '../modules/catalogs/mapping-import.service.js';
import { runCommand } from './command-context.js';

const USAGE = `usage: npm run catalog:mappings -- <mappings.csv|mappings.json> [--source S]
Imports (or re-imports) control mappings; --source is required for a CSV file and refused for JSON,
which names its source itself. Both ends of every mapping must be controls of imported catalogs.`;

type MappingFile = { format: 'csv'; text: string; source: string } | { format: 'json'; document: unknown };

/** Exits 2 on a usage error or an unreadable file, before anything connects to the database. */
function parseOptions(): { mappings: MappingFile; file: string } {
  const refuse = (problem: string): never => {
    process.stderr.write(`catalog:mappings: ${problem}\n${USAGE}\n`);
    process.exit(2);
  };
  try {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { source: { type: 'string' } } });
    if (positionals.length !== 1) return refuse('give exactly one mapping file');
    const file = positionals[0];
    const format = extname(file).toLowerCase();
    if (format !== '.csv' && format !== '.json') return refuse('the file must end in .csv or .json');
    const text = decodeUtf8(readFileSync(file)) ?? refuse(`${file} is not UTF-8`);
    if (format === '.json') {
      if (values.source !== undefined) return refuse('--source is for CSV files; a JSON file names its source');
      return { mappings: { format: 'json', document: JSON.parse(text) }, file };
    }
    if (values.source === undefined) return refuse('--source is required for a CSV file');
    return { mappings: { format: 'csv', text, source: values.source }, file };
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/** A refused file says where it is wrong: the validation problem's fields (`line 3, relationship`). */
function reasonOf(error: unknown): Error {
  if (!(error instanceof ValidationProblem)) return error as Error;
  const fields = error.errors.map((e) => `${e.field}: ${e.messages.join('; ')}`);
  return new Error([error.message, ...fields].join(' '));
}

const { mappings, file } = parseOptions();
runCommand('catalog:mappings', async ({ app, database }) => {
  const service = app.get(MappingImportService);
  const result = await (
    mappings.format === 'csv' ? service.fromCsv(mappings.text, mappings.source) : service.fromJson(mappings.document)
  ).catch((error: unknown) => Promise.reject(reasonOf(error)));
  process.stdout.write(
    `imported ${file} as source "${result.source}" in ${database}: ${result.mappings} mappings ` +
      `(${result.inserted} new, ${result.updated} updated, ${result.unchanged} unchanged)\n`,
  );
});
