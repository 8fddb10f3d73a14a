import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { demoRecords } from '../../src/cli/demo-data';
import { startApp } from '../lib/app-process';
import { freshDatabase } from '../lib/bench-database';
import { load } from '../lib/load';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
import { report } from '../lib/report';

const IDLE_SECONDS = Number(process.env.BENCH_MEMORY_IDLE_SECONDS ?? 15);
/** RSS is reported after 60 s of load (issue 20); the load goes on so the verdict sees past warm-up. */
const REPORTED_AFTER_SECONDS = 60;
const LOAD_SECONDS = Number(process.env.BENCH_MEMORY_LOAD_SECONDS ?? 180);
const SAMPLE_MS = 5_000;
/**
 * The verdict looks at this tail of the load: warm-up growth (JIT, pools, caches filling) is over
 * by then. A 30 s tail of a 60 s run took the last step of warm-up (245 to 275 MB) for growth,
 * where a 180 s run of the same build then stayed at 246-251 MB for two minutes.
 */
const TAIL_SECONDS = 90;
/** Slope over the tail above which RSS counts as still growing. */
const GROWING_MB_PER_MINUTE = 5;
const EMAIL = 'bench.admin@example.com';
const PASSWORD = randomBytes(18).toString('base64url');

/** Resident set of a process in MB, from /proc/<pid>/status (Linux only). */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round(Number(match[1]) / 102.4) / 10;
}

interface Sample {
  phase: 'idle' | 'load';
  second: number;
  rssMb: number;
}

/**
 * Slope of RSS over time in MB per minute: the median of the slopes between every two samples
 * (Theil–Sen), so one garbage-collection spike does not decide the verdict as it would a
 * least-squares fit.
 */
function slopeMbPerMinute(samples: Sample[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const seconds = samples[j].second - samples[i].second;
      if (seconds > 0) slopes.push(((samples[j].rssMb - samples[i].rssMb) / seconds) * 60);
    }
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const middle = slopes.length / 2;
  const median = Number.isInteger(middle) ? (slopes[middle - 1] + slopes[middle]) / 2 : slopes[Math.floor(middle)];
  return Math.round(median * 10) / 10;
}

/**
 * The built app as a child process (so RSS is the app's, not the load generator's): its RSS
 * every 5 s at idle, then during mixed load (logins, session reads, record writes and cached
 * record reads), with a verdict on the slope of the last 90 s.
 */
export async function memory(): Promise<void> {
  const db = await freshDatabase('ck_bench_memory');
  try {
    const app = await startApp({
      DATABASE_URL: db.url,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      ADMIN_EMAIL: EMAIL,
      ADMIN_PASSWORD: PASSWORD,
      THROTTLE_API_LIMIT: '100000000',
    });
    try {
      const samples: Sample[] = [];
      const started = performance.now();
      const sample = (phase: Sample['phase']) =>
        samples.push({ phase, second: Math.round((performance.now() - started) / 1000), rssMb: rssMb(app.pid) });
      /** Samples every 5 s until `during` settles. */
      const sampling = <T>(phase: Sample['phase'], during: Promise<T>): Promise<T> => {
        const timer = setInterval(() => sample(phase), SAMPLE_MS);
        return during.finally(() => clearInterval(timer));
      };

      const token = await logIn(app.url, EMAIL, PASSWORD);
      const headers = { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` };
      const [record] = demoRecords(1, 7, new Date(), 90);
      const created = await fetch(`${app.url}/compliance/records`, {
        method: 'POST',
        headers,
        body: JSON.stringify(record),
      });
      if (created.status !== 201) throw new Error(`record creation answered ${created.status}`);
      const { id } = (await created.json()) as { id: string };

      sample('idle');
      await sampling('idle', new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000)));
      const idle = samples.at(-1)!.rssMb;
      const body = JSON.stringify(record);
      const login = JSON.stringify({ email: EMAIL, password: PASSWORD });
      const mixed = await sampling(
        'load',
        load(
          'mixed load',
          app.url,
          {
            duration: LOAD_SECONDS,
            connections: 10,
            requests: [
              { method: 'GET', path: '/auth/session', headers },
              { method: 'GET', path: `/compliance/records/${id}`, headers },
              { method: 'POST', path: '/compliance/records', headers, body },
              { method: 'GET', path: `/compliance/records/${id}`, headers },
              { method: 'POST', path: '/auth/login', headers: { ...headers, authorization: '' }, body: login },
            ],
          },
          app.pid,
        ),
      );
      if (samples.at(-1)!.second !== Math.round((performance.now() - started) / 1000)) sample('load');

      const loadSamples = samples.filter((s) => s.phase === 'load');
      const end = loadSamples.at(-1)!;
      const loadStart = loadSamples[0].second - SAMPLE_MS / 1000;
      const reported = loadSamples.find((s) => s.second - loadStart >= REPORTED_AFTER_SECONDS) ?? end;
      const tail = loadSamples.filter((s) => s.second >= end.second - TAIL_SECONDS);
      const slope = slopeMbPerMinute(tail);
      const verdict = slope < GROWING_MB_PER_MINUTE ? 'bounded' : 'growing';
      console.log(`RSS series (s, phase, MB): ${samples.map((s) => `${s.second} ${s.phase} ${s.rssMb}`).join(' | ')}`);
      console.log(`last ${TAIL_SECONDS} s of load: ${slope} MB/min -> ${verdict}`);
      report({
        benchmark: 'memory',
        rows: [
          ...samples.map((s) => ({ name: `RSS at ${s.second} s (${s.phase})`, rssMb: s.rssMb })),
          { ...mixed, name: `mixed load ${LOAD_SECONDS} s (session, record read/write, login)` },
          { name: `RSS slope over the last ${TAIL_SECONDS} s of load (MB/min)`, slope, verdict },
        ],
        summary: [
          {
            metric: `app RSS after ${REPORTED_AFTER_SECONDS} s of mixed load`,
            value: reported.rssMb,
            baseline: idle,
            baselineLabel: 'idle',
            unit: 'MB',
          },
          {
            metric: `app RSS after ${end.second - loadStart} s of mixed load (last ${TAIL_SECONDS} s: ${slope} MB/min, ${verdict})`,
            value: end.rssMb,
            baseline: idle,
            baselineLabel: 'idle',
            unit: 'MB',
          },
        ],
      });
    } finally {
      await app.stop();
    }
  } finally {
    await db.drop();
  }
}
