import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface RecordedProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code; after `timeoutMs` kills the process group and rejects. */
  exited(timeoutMs?: number): Promise<number | null>;
  /** SIGKILLs the process and its group if still running (for finally blocks). */
  kill(): Promise<void>;
}

/**
 * Spawns `command` with only PATH and HOME from this process plus `environment` (no npm_*
 * variables from an outer `npm test`), in its own process group so a test can signal the group
 * the way a terminal does, and recording stdout and stderr apart.
 */
export function spawnRecorded(
  command: string,
  args: string[],
  environment: Record<string, string>,
  cwd = PROJECT_ROOT,
): RecordedProcess {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environment };
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stdout}${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          const match = pattern.exec(stdout) ?? pattern.exec(stderr);
          if (match) done(undefined, match);
        };
        const onExit = (code: number | null) =>
          done(new Error(`exited with ${code} before ${pattern}:\n${stdout}${stderr}`));
        const done = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          child.off('exit', onExit);
          if (match) resolve(match);
          else reject(error);
        };
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('exit', onExit);
        check();
      }),
    exited: async (timeoutMs = 30_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          killGroup();
          reject(new Error(`${command} ${args.join(' ')} still running after ${timeoutMs} ms:\n${stdout}${stderr}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup();
      await exit;
    },
  };
}

/** Runs a built entry point (`dist/…`, built by `npm test`) on this Node to completion. */
export async function runBuilt(
  script: string,
  args: string[],
  environment: Record<string, string>,
  timeoutMs = 90_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = spawnRecorded(process.execPath, [join(PROJECT_ROOT, script), ...args], environment);
  try {
    const code = await command.exited(timeoutMs);
    return { code, stdout: command.stdout(), stderr: command.stderr() };
  } finally {
    await command.kill();
  }
}

/** Pids of live processes whose command line, environment or working directory mention `dir`. */
export function processesUsing(dir: string): number[] {
  const read = (file: string) => {
    try {
      return file.endsWith('/cwd') ? readlinkSync(file) : readFileSync(file, 'latin1');
    } catch {
      return '';
    }
  };
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => ['cmdline', 'environ', 'cwd'].some((file) => read(`/proc/${pid}/${file}`).includes(dir)))
    .map(Number);
}

/** SIGKILLs whatever still uses `dir`: the cleanup of a test that failed half-way. */
export function killProcessesUsing(dir: string): void {
  for (const pid of processesUsing(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** The postmaster pid of the embedded cluster in `dataDir`, or undefined when none runs. */
export function embeddedPostmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

/** Runs `sql` on the embedded cluster running from `dataDir` (port from postmaster.pid). */
export async function queryEmbedded<T = Record<string, unknown>>(
  dataDir: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const port = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(join(dataDir, 'postgres.password'), 'utf8').trim();
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'compliance_kit' });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
