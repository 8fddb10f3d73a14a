import { auditAppend } from './scenarios/audit-append';
import { authSession } from './scenarios/auth-session';
import { bulkIngest } from './scenarios/bulk-ingest';
import { emailLookup } from './scenarios/email-lookup';
import { encryptionThroughput } from './scenarios/encryption-throughput';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/report';
import { writeResults } from './lib/summary';
import { compliance } from './scenarios/compliance';
import { controlGraph } from './scenarios/control-graph';
import { healthLive } from './scenarios/health-live';
import { memory } from './scenarios/memory';
import { recordCache } from './scenarios/record-cache';
import { replicas } from './scenarios/replicas';
import { search } from './scenarios/search';
import { subjectKeys } from './scenarios/subject-keys';

/**
 * `npm run bench [name...]`: runs the named benchmarks, or all of them, one after another, then
 * rewrites bench/RESULTS.md from the latest saved result of every benchmark.
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  'health-live': healthLive,
  'audit-append': auditAppend,
  'encryption-throughput': encryptionThroughput,
  'email-lookup': emailLookup,
  'auth-session': authSession,
  compliance,
  'bulk-ingest': bulkIngest,
  'record-cache': recordCache,
  search,
  'control-graph': controlGraph,
  memory,
  replicas,
  'subject-keys': subjectKeys,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  for (const name of names) {
    const run = BENCHMARKS[name];
    if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    await run();
  }
  writeResults(RESULTS_DIR, join(__dirname, '..', '..', 'bench', 'RESULTS.md'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
