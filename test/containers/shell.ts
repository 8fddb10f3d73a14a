import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Variables added to this process's environment (secrets go here, never into arguments). */
  env?: Record<string, string>;
  cwd?: string;
  /** Killed after this long (a `docker pull` that hangs on a network with no answer). */
  timeoutMs?: number;
}

export class CommandFailed extends Error {}

/**
 * Runs commands to completion. Everything they print goes to one log file, not the terminal: a build
 * prints thousands of lines; a failure shows the end of the log instead.
 */
export class Shell {
  constructor(readonly logFile: string) {}

  run(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    this.log(`\n$ ${[command, ...args].join(' ')}\n`);
    return new Promise((resolve) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        this.log(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk);
        this.log(chunk);
      });
      const done = (code: number) =>
        resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
      child.on('error', (error) => {
        this.log(`${error.message}\n`);
        done(127);
      });
      child.on('close', (code) => done(code ?? 1));
    });
  }

  /** Like `run`, but a non-zero exit is an error naming the command; returns stdout, trimmed. */
  async must(command: string, args: string[], options: CommandOptions = {}): Promise<string> {
    const result = await this.run(command, args, options);
    if (result.code !== 0) {
      throw new CommandFailed(`\`${[command, ...args].join(' ')}\` exited ${result.code}`);
    }
    return result.stdout.trim();
  }

  /** The command's output goes to the next one's standard input (`tar -c … | docker import -`). */
  pipe(from: [string, string[]], to: [string, string[]]): Promise<void> {
    this.log(`\n$ ${from.flat().join(' ')} | ${to.flat().join(' ')}\n`);
    return new Promise((resolve, reject) => {
      const source = spawn(from[0], from[1], { stdio: ['ignore', 'pipe', 'pipe'] });
      const sink = spawn(to[0], to[1], { stdio: ['pipe', 'pipe', 'pipe'] });
      source.stdout.pipe(sink.stdin);
      for (const stream of [source.stderr, sink.stdout, sink.stderr]) stream.on('data', (chunk) => this.log(chunk));
      let sourceCode: number | null = null;
      source.on('close', (code) => (sourceCode = code));
      sink.on('close', (code) =>
        sourceCode === 0 && code === 0
          ? resolve()
          : reject(new CommandFailed(`\`${from[0]} | ${to[0]}\` exited ${sourceCode} | ${code}`)),
      );
    });
  }

  /** The last lines of the log, for a failure report. */
  tail(lines: number): string {
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  private log(text: string | Buffer): void {
    appendFileSync(this.logFile, text);
  }
}
