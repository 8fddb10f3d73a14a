import 'reflect-metadata';
import { accessSync, constants, createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { ProblemException, ValidationProblem } from '../common/problem.js';
import { CATALOG_IMPORT_BODY_LIMIT_BYTES } from '../modules/catalogs/catalogs.routes.js';
import { CatalogsService } from '../modules/catalogs/catalogs.service.js';
import { FRAMEWORK_CODE } from '../modules/compliance/records/dto/record-rules.js';
import { runCommand } from './command-context.js';

const USAGE = `usage: npm run catalog:import -- <oscal-catalog.json> --framework <CODE>
Imports (or re-imports) an OSCAL catalog as the control catalog of the framework CODE.`;

/** Exits 2 on a usage error or an unreadable file, before anything connects to the database. */
function parseOptions(): { framework: string; file: string } {
  const refuse = (problem: string): never => {
    process.stderr.write(`catalog:import: ${problem}\n${USAGE}\n`);
    process.exit(2);
  };
  try {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { framework: { type: 'string' } } });
    if (positionals.length !== 1) return refuse('give exactly one catalog file');
    const framework = values.framework?.toUpperCase();
    if (!framework || !FRAMEWORK_CODE.test(framework))
      return refuse('--framework must be a code such as NIST-800-53-LOW');
    const file = positionals[0];
    accessSync(file, constants.R_OK);
    return { framework, file };
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/** A refused catalog says where it is wrong: the validation problem's fields, not just "invalid". */
function reasonOf(error: unknown): Error {
  if (!(error instanceof ValidationProblem))
    return error instanceof ProblemException ? new Error(error.message) : (error as Error);
  const fields = error.errors.map((e) => `${e.field}: ${e.messages.join('; ')}`);
  return new Error([error.message, ...fields].join(' '));
}

const { framework, file } = parseOptions();
runCommand('catalog:import', async ({ app, database }) => {
  const result = await app
    .get(CatalogsService)
    .importStream(framework, createReadStream(file), CATALOG_IMPORT_BODY_LIMIT_BYTES)
    .catch((error: unknown) => Promise.reject(reasonOf(error)));
  process.stdout.write(
    `imported ${file} as ${framework} in ${database}: ${result.controls} controls ` +
      `(${result.inserted} new, ${result.updated} updated, ${result.unchanged} unchanged, ${result.removed} removed), ` +
      `${result.relatedMappings} related edges\n`,
  );
});
