import { healthLive } from './scenarios/health-live';
import { search } from './scenarios/search';

/** `npm run bench [name...]`: runs the named benchmarks, or all of them, one after another. */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  'health-live': healthLive,
  search,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  for (const name of names) {
    const run = BENCHMARKS[name];
    if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    await run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
