import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** How an optional accelerator is doing; `disabled` means it is not configured at all. */
export type DependencyState = 'up' | 'down' | 'disabled';

/**
 * Runs a probe with a timeout. A failing required dependency is `down` (fails the check);
 * a failing optional one is `degraded`, which Terminus reports without failing the check.
 */
export async function probeDependency(
  indicators: HealthIndicatorService,
  key: string,
  options: { required: boolean; timeoutMs: number },
  probe: () => Promise<Record<string, unknown>>,
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const details = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
      }),
    ]);
    return session.up({ state: 'up' satisfies DependencyState, latencyMs: elapsed(started), ...details });
  } catch (error) {
    const data = { state: 'down' satisfies DependencyState, message: (error as Error).message };
    return options.required ? session.down(data) : session.degraded(data);
  } finally {
    clearTimeout(timer);
  }
}

export function disabledDependency(indicators: HealthIndicatorService, key: string): HealthIndicatorResult {
  return indicators.check(key).up({ state: 'disabled' satisfies DependencyState });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
