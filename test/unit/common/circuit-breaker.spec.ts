import { CircuitBreaker } from '../../../src/common/circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const clock = { now: () => new Date(now) };

  it('opens on failure, allows a trial once the cooldown has passed, and stays open until closed', () => {
    const breaker = new CircuitBreaker(1_000, clock);
    expect(breaker.mayTry()).toBe(true);
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.mayTry()).toBe(false);
    now += 1_000;
    expect(breaker.mayTry()).toBe(true);
    expect(breaker.isOpen).toBe(true);
    expect(breaker.close()).toBe(true);
    expect(breaker.isOpen).toBe(false);
    expect(breaker.close()).toBe(false);
  });

  it('restarts the cooldown when a trial fails', () => {
    const breaker = new CircuitBreaker(1_000, clock);
    breaker.failed();
    now += 1_000;
    expect(breaker.mayTry()).toBe(true);
    breaker.failed();
    expect(breaker.mayTry()).toBe(false);
  });
});
