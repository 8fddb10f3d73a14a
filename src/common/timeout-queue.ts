interface Deadline {
  at: number;
  settled: boolean;
  expire(): void;
}

/**
 * One timeout length for many concurrent calls, on one timer: a timer per call (with its async
 * resource, and a promise to race it) cost more than the Redis round trip it guarded. All share
 * the length, so deadlines queue in the order they expire; the timer is armed for the oldest one
 * still pending, and only while one is.
 */
export class TimeoutQueue {
  private readonly queue: Deadline[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly ms: number) {}

  /** Settles as `work` does, unless `ms` pass first: then rejects with `timedOut()`. */
  within<T>(work: Promise<T>, timedOut: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline: Deadline = { at: performance.now() + this.ms, settled: false, expire: () => reject(timedOut()) };
      this.queue.push(deadline);
      if (!this.timer) this.arm(this.ms);
      work.then(
        (value) => {
          deadline.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          deadline.settled = true;
          reject(error as Error);
        },
      );
    });
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expire(), ms);
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const deadline = this.queue[this.head];
      if (!deadline.settled && deadline.at > now) break;
      this.head++;
      if (!deadline.settled) {
        deadline.settled = true;
        deadline.expire();
      }
    }
    // Drops the passed entries from the front once they are most of the array.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length) this.arm(Math.max(1, this.queue[this.head].at - now));
    else {
      this.queue.length = 0;
      this.head = 0;
    }
  }
}
