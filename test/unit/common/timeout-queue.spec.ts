import { TimeoutQueue } from '../../../src/common/timeout-queue';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const timedOut = () => new Error('timed out');

describe('TimeoutQueue', () => {
  it('settles as the work does when it finishes in time', async () => {
    const timeouts = new TimeoutQueue(200);
    await expect(timeouts.within(after(5, 'done'), timedOut)).resolves.toBe('done');
    await expect(timeouts.within(Promise.reject(new Error('failed')), timedOut)).rejects.toThrow('failed');
  });

  it('rejects each late call once its own time is up, whatever the calls before it did', async () => {
    const timeouts = new TimeoutQueue(40);
    const fast = timeouts.within(after(5, 'fast'), timedOut);
    const slow = timeouts.within(after(1_000, 'slow'), timedOut);
    await after(20, undefined);
    const started = performance.now();
    const later = timeouts.within(after(1_000, 'later'), timedOut);
    await expect(fast).resolves.toBe('fast');
    await expect(slow).rejects.toThrow('timed out');
    await expect(later).rejects.toThrow('timed out');
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });

  it('keeps working after a quiet spell', async () => {
    const timeouts = new TimeoutQueue(20);
    await expect(timeouts.within(after(1_000, 'late'), timedOut)).rejects.toThrow('timed out');
    await after(30, undefined);
    await expect(timeouts.within(after(1_000, 'late'), timedOut)).rejects.toThrow('timed out');
    await expect(timeouts.within(after(1, 'quick'), timedOut)).resolves.toBe('quick');
  });
});
