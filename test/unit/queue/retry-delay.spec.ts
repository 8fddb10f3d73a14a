import { RETRY_BASE_DELAY_MS, retryDelayMs } from '../../../src/infrastructure/queue/job-queue';

describe('retryDelayMs', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [1, RETRY_BASE_DELAY_MS],
    [2, RETRY_BASE_DELAY_MS * 2],
    [5, RETRY_BASE_DELAY_MS * 16],
    [12, 60_000],
  ])('backs off attempt %i between half and all of its step (%i ms)', (attempt, step) => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    expect(retryDelayMs(attempt)).toBe(step / 2);
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999);
    expect(retryDelayMs(attempt)).toBe(step);
  });

  it('spreads retries of the same attempt over the upper half of the step', () => {
    const delays = new Set(Array.from({ length: 200 }, () => retryDelayMs(3)));
    expect(delays.size).toBeGreaterThan(50);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(RETRY_BASE_DELAY_MS * 2);
    expect(Math.max(...delays)).toBeLessThanOrEqual(RETRY_BASE_DELAY_MS * 4);
  });
});
