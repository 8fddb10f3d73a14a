const describe = (result: unknown) => (typeof result === 'string' ? result : 'ok');

export const say = (line = ''): void => void process.stdout.write(`${line}\n`);

interface StepRecord {
  name: string;
  seconds: number;
  passed: boolean;
  outcome: string;
}

/**
 * Times each step and prints it as it ends; `summary()` prints them all as a table, then the closing
 * `containers: N passed, N failed` line.
 */
export class Steps {
  private readonly records: StepRecord[] = [];

  get failed(): boolean {
    return this.records.some((step) => !step.passed);
  }

  /**
   * Runs one step; `outcome` says what it found (by default the string the step returned). A step that
   * throws is recorded as failed, and rethrown.
   */
  async run<T>(name: string, body: () => Promise<T>, outcome: (result: T) => string = describe): Promise<T> {
    const started = performance.now();
    try {
      const result = await body();
      this.record(name, started, true, outcome(result));
      return result;
    } catch (error) {
      this.record(name, started, false, (error as Error).message);
      throw error;
    }
  }

  summary(): void {
    const width = Math.max(...this.records.map((step) => step.name.length));
    say();
    say(`${'step'.padEnd(width)}  ${'seconds'.padStart(7)}  result`);
    for (const step of this.records) {
      const seconds = step.seconds.toFixed(1).padStart(7);
      say(`${step.name.padEnd(width)}  ${seconds}  ${step.passed ? '' : 'FAILED: '}${step.outcome}`);
    }
    const total = this.records.reduce((sum, step) => sum + step.seconds, 0);
    say(`${'total'.padEnd(width)}  ${total.toFixed(1).padStart(7)}`);
    const failed = this.records.filter((step) => !step.passed).length;
    say();
    say(`containers: ${this.records.length - failed} passed, ${failed} failed`);
  }

  private record(name: string, started: number, passed: boolean, outcome: string): void {
    const seconds = (performance.now() - started) / 1000;
    this.records.push({ name, seconds, passed, outcome });
    say(`${passed ? 'ok  ' : 'FAIL'} ${name} (${seconds.toFixed(1)} s): ${outcome}`);
  }
}
