import { CircuitBreaker } from '../../../src/modules/sessions/stores/circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const clock = { now: () => new Date(now) };

  it('opens on failure, allows one trial after the cooldown, and closes on its success', () => {
    const breaker = new CircuitBreaker(1_000, clock);
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allows()).toBe(false);
    now += 1_000;
    expect(breaker.allows()).toBe(true);
    expect(breaker.allows()).toBe(false);
    expect(breaker.succeeded()).toBe(true);
    expect(breaker.isOpen).toBe(false);
    expect(breaker.outageStartedAt).toEqual(new Date(0));
    breaker.recovered();
    expect(breaker.outageStartedAt).toBeUndefined();
  });

  it('re-opens when the trial call fails', () => {
    const breaker = new CircuitBreaker(1_000, clock);
    breaker.failed();
    now += 1_000;
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    expect(breaker.allows()).toBe(false);
  });
});
