import type { TestApp } from '../../support/app';
import { waitFor } from '../../support/wait-for';

export interface ListedSignal {
  id: string;
  occurredAt: string;
  detector: string;
  severity: string;
  actorId: string;
  resourceType: string | null;
  resourceId: string | null;
  details: Record<string, unknown>;
}

interface TrailEvent {
  id: string;
  action: string;
  severity: string;
  actorId: string;
  resourceType: string | null;
  resourceId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** What one detector has raised so far, as the three places that show a signal see it. */
export interface SignalViews {
  /** `GET /audit/events?action=security.signal.<detector>`, newest first. */
  trail: TrailEvent[];
  /** `GET /security/signals?detector=<detector>`, newest first. */
  listed: ListedSignal[];
  /** `security_signals_total{detector,severity}` from `/metrics`, by severity. */
  metric: Record<string, number>;
}

export async function signalsOf(t: TestApp, detector: string): Promise<SignalViews> {
  const auditor = await t.as('auditor');
  const trail = await auditor.get(`/audit/events?action=security.signal.${detector}&limit=500`).expect(200);
  const listed = await auditor.get(`/security/signals?detector=${detector}&limit=200`).expect(200);
  const metrics = (await t.http().get('/metrics').expect(200)).text;
  const metric: Record<string, number> = {};
  const line = new RegExp(`^security_signals_total\\{detector="${detector}",severity="(\\w+)"\\} (\\d+)$`);
  for (const text of metrics.split('\n')) {
    const match = line.exec(text);
    if (match) metric[match[1]] = Number(match[2]);
  }
  return { trail: trail.body.items, listed: listed.body.items, metric };
}

/** Waits until `detector` has raised `count` signals in the trail (some are recorded after the response). */
export async function untilSignals(t: TestApp, detector: string, count: number): Promise<SignalViews> {
  let views = await signalsOf(t, detector);
  await waitFor(async () => {
    views = await signalsOf(t, detector);
    return views.trail.length >= count;
  });
  return views;
}

/** The signal's three views agree: one audit event, listed by the endpoint, counted by the metric. */
export function expectConsistent(views: SignalViews, severity: string): void {
  const total = Object.values(views.metric).reduce((sum, n) => sum + n, 0);
  expect(total).toBe(views.trail.length);
  expect(views.metric[severity]).toBe(views.trail.length);
  expect(views.listed.map((signal) => signal.id)).toEqual(views.trail.map((event) => event.id));
  for (const event of views.trail) {
    expect(event.severity).toBe(severity);
    expect(event.ip).toBeNull();
  }
}

/** A signal's details never carry an address or an email. */
export function expectNoPii(views: SignalViews, ...forbidden: string[]): void {
  const text = JSON.stringify([views.trail, views.listed]);
  for (const value of forbidden) expect(text).not.toContain(value);
  expect(text).not.toMatch(/@[a-z0-9.-]+\.[a-z]{2,}/i);
}
