import type { SecurityEvent } from '../../../src/common/security-events';
import { InProcessWindowCounter } from '../../../src/modules/security-signals/counters/in-process-window-counter';
import { AuthFailureBurstDetector } from '../../../src/modules/security-signals/detectors/auth-failure-burst.detector';
import { KeyOutsideCidrsDetector } from '../../../src/modules/security-signals/detectors/key-outside-cidrs.detector';
import { MassExportDetector } from '../../../src/modules/security-signals/detectors/mass-export.detector';
import { NetworkSwitchDetector } from '../../../src/modules/security-signals/detectors/network-switch.detector';
import { NewDeviceDetector } from '../../../src/modules/security-signals/detectors/new-device.detector';
import type { KnownDevicesRepository } from '../../../src/modules/security-signals/known-devices.repository';
import type { SecurityObservation } from '../../../src/modules/security-signals/security-signal';
import { SignalSubjects } from '../../../src/modules/security-signals/signal-subjects';
import { aCipher } from '../../support/builders/keyring.builder';

/** A clock the test moves by hand. */
function fakeClock() {
  let now = Date.parse('2026-12-02T10:00:00Z');
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const subjects = new SignalSubjects(aCipher(), 'test');
const refusal = (overrides: Partial<SecurityEvent> = {}, ip = '198.51.100.7'): SecurityObservation => ({
  kind: 'security-event',
  event: {
    action: 'auth.unauthenticated',
    severity: 'warning',
    outcome: 'denied',
    request: { requestId: 'r', ip },
    details: { reason: 'missing-bearer-token' },
    ...overrides,
  },
});

async function observeTimes(
  detector: { observe(o: SecurityObservation): Promise<unknown[]> },
  o: SecurityObservation,
  n: number,
) {
  const fired: unknown[] = [];
  for (let i = 0; i < n; i++) fired.push(...(await detector.observe(o)));
  return fired;
}

describe('AuthFailureBurstDetector', () => {
  const setup = () => {
    const clock = fakeClock();
    const counter = new InProcessWindowCounter(1000, clock.now);
    return { clock, detector: new AuthFailureBurstDetector(counter, subjects, { burst: 5, windowSeconds: 60 }) };
  };

  it('fires once when one IP reaches the burst within the window, then stays quiet for the window', async () => {
    const { detector } = setup();
    expect(await observeTimes(detector, refusal(), 4)).toEqual([]);
    const [signal, ...more] = await observeTimes(detector, refusal(), 20);
    expect(more).toEqual([]);
    expect(signal).toMatchObject({
      detector: 'auth-failure-burst',
      severity: 'warning',
      details: { subject: 'ip', refusals: 5, threshold: 5, windowSeconds: 60 },
    });
    expect(JSON.stringify(signal)).not.toContain('198.51.100.7');
  });

  it('stays quiet when the same refusals are spread over more than one window', async () => {
    const { clock, detector } = setup();
    for (let i = 0; i < 12; i++) {
      expect(await observeTimes(detector, refusal(), 2)).toEqual([]);
      clock.advance(30_000);
    }
  });

  it('fires again in a later window while the attack goes on', async () => {
    const { clock, detector } = setup();
    expect(await observeTimes(detector, refusal(), 5)).toHaveLength(1);
    clock.advance(61_000);
    expect(await observeTimes(detector, refusal(), 5)).toHaveLength(1);
  });

  it('counts per API key across client IPs, and names the key', async () => {
    const { detector } = setup();
    const fired = [];
    for (let i = 0; i < 5; i++) {
      const keyRefusal = refusal(
        { resourceType: 'api-key', resourceId: 'key-1', details: { credential: 'api-key', reason: 'wrong-secret' } },
        `203.0.${i}.1`,
      );
      fired.push(...(await detector.observe(keyRefusal)));
    }
    expect(fired).toEqual([
      expect.objectContaining({
        resourceType: 'api-key',
        resourceId: 'key-1',
        details: expect.objectContaining({ subject: 'api-key' }),
      }),
    ]);
  });

  it('ignores events that are not refusals', async () => {
    const { detector } = setup();
    const success = refusal({ action: 'auth.login.succeeded', outcome: 'success' });
    expect(await observeTimes(detector, success, 50)).toEqual([]);
  });
});

describe('KeyOutsideCidrsDetector', () => {
  it('turns a refusal outside the allowed CIDRs into one critical signal per key per window', async () => {
    const clock = fakeClock();
    const detector = new KeyOutsideCidrsDetector(new InProcessWindowCounter(1000, clock.now), subjects, {
      windowSeconds: 3600,
    });
    const outside = refusal({
      severity: 'critical',
      resourceType: 'api-key',
      resourceId: 'key-1',
      details: { credential: 'api-key', reason: 'outside-allowed-cidrs', lookupId: 'abc123def456' },
    });
    const fired = await observeTimes(detector, outside, 3);
    expect(fired).toEqual([
      expect.objectContaining({
        severity: 'critical',
        resourceId: 'key-1',
        details: expect.objectContaining({ lookupId: 'abc123def456' }),
      }),
    ]);
    clock.advance(3_600_000);
    expect(await observeTimes(detector, outside, 1)).toHaveLength(1);
    expect(await observeTimes(detector, refusal({ resourceType: 'api-key', resourceId: 'key-1' }), 3)).toEqual([]);
  });
});

describe('NetworkSwitchDetector', () => {
  const setup = () => {
    const clock = fakeClock();
    /** What Redis would hold, shared by every replica. */
    const shared = new InProcessWindowCounter(1000, clock.now);
    const replica = () =>
      new NetworkSwitchDetector(shared, new InProcessWindowCounter(1000, clock.now), subjects, {
        windowSeconds: 600,
        prefixes: { ipv4: 16, ipv6: 32 },
      });
    const use = (ip: string, sessionId = 's1'): SecurityObservation => ({
      kind: 'session-used',
      sessionId,
      userId: 'u1',
      ip,
    });
    return { clock, shared, replica, detector: replica(), use };
  };

  it('writes a steady session to the shared window once per tenth of the window, and still catches another replica', async () => {
    const { clock, shared, replica, detector, use } = setup();
    const swap = jest.spyOn(shared, 'swap');
    for (let second = 0; second < 1200; second += 5) {
      expect(await detector.observe(use('198.51.100.7'))).toEqual([]);
      clock.advance(5_000);
    }
    expect(swap).toHaveBeenCalledTimes(20);
    expect(await replica().observe(use('203.0.113.9'))).toHaveLength(1);
  });

  it('fires once when a session moves to another /16 within the window', async () => {
    const { detector, use } = setup();
    expect(await detector.observe(use('198.51.100.7'))).toEqual([]);
    const [signal] = await detector.observe(use('203.0.113.9'));
    expect(signal).toMatchObject({
      detector: 'network-switch',
      resourceType: 'session',
      resourceId: 's1',
      actorId: 'u1',
    });
    expect(JSON.stringify(signal)).not.toMatch(/198\.51|203\.0/);
    expect(await detector.observe(use('198.51.100.7'))).toEqual([]);
  });

  it('stays quiet inside one network, across sessions, and after the window', async () => {
    const { clock, detector, use } = setup();
    expect(await detector.observe(use('198.51.100.7'))).toEqual([]);
    expect(await detector.observe(use('198.51.7.200'))).toEqual([]);
    expect(await detector.observe(use('::ffff:198.51.1.1'))).toEqual([]);
    expect(await detector.observe(use('203.0.113.9', 's2'))).toEqual([]);
    clock.advance(601_000);
    expect(await detector.observe(use('203.0.113.9'))).toEqual([]);
  });

  it('counts the network the session logged in from', async () => {
    const { detector, use } = setup();
    const login: SecurityObservation = {
      kind: 'login',
      userId: 'u1',
      sessionId: 's1',
      ip: '198.51.100.7',
      deviceFingerprint: 'a'.repeat(32),
    };
    expect(await detector.observe(login)).toEqual([]);
    expect(await detector.observe(use('203.0.113.9'))).toHaveLength(1);
  });

  it('compares IPv6 by its /32', async () => {
    const { detector, use } = setup();
    expect(await detector.observe(use('2001:db8:1::1'))).toEqual([]);
    expect(await detector.observe(use('2001:db8:ffff::2'))).toEqual([]);
    expect(await detector.observe(use('2001:db9::1'))).toHaveLength(1);
  });
});

describe('MassExportDetector', () => {
  const setup = () => {
    const clock = fakeClock();
    const detector = new MassExportDetector(new InProcessWindowCounter(1000, clock.now), subjects, {
      rows: 1000,
      windowSeconds: 3600,
    });
    const read = (rows: number, actorId = 'u1'): SecurityObservation => ({
      kind: 'rows-read',
      actorId,
      source: 'audit-export',
      rows,
    });
    return { clock, detector, read };
  };

  it('adds up the rows one actor reads and fires once at the threshold', async () => {
    const { detector, read } = setup();
    expect(await detector.observe(read(600))).toEqual([]);
    expect(await detector.observe(read(600, 'u2'))).toEqual([]);
    const [signal] = await detector.observe(read(500));
    expect(signal).toMatchObject({ actorId: 'u1', details: { rows: 1100, threshold: 1000, source: 'audit-export' } });
    expect(await detector.observe(read(5000))).toEqual([]);
  });

  it('forgets rows read in an earlier window', async () => {
    const { clock, detector, read } = setup();
    expect(await detector.observe(read(900))).toEqual([]);
    clock.advance(3_600_000);
    expect(await detector.observe(read(900))).toEqual([]);
  });
});

describe('NewDeviceDetector', () => {
  const devices = () => {
    const known = new Map<string, Set<string>>();
    return {
      remember: async (userId: string, fingerprint: string) => {
        const set = known.get(userId) ?? new Set<string>();
        const knownBefore = set.size;
        const isNew = !set.has(fingerprint);
        set.add(fingerprint);
        known.set(userId, set);
        return { isNew, knownBefore };
      },
    } as unknown as KnownDevicesRepository;
  };
  const login = (deviceFingerprint: string, userId = 'u1'): SecurityObservation => ({
    kind: 'login',
    userId,
    sessionId: `session-of-${userId}`,
    ip: '198.51.100.7',
    deviceFingerprint,
  });

  it('is quiet for an account first device and for a device seen before, and fires for another', async () => {
    const detector = new NewDeviceDetector(devices());
    expect(await detector.observe(login('a'.repeat(32)))).toEqual([]);
    expect(await detector.observe(login('a'.repeat(32)))).toEqual([]);
    expect(await detector.observe(login('b'.repeat(32), 'u2'))).toEqual([]);
    const [signal] = await detector.observe(login('c'.repeat(32)));
    expect(signal).toMatchObject({
      detector: 'new-device',
      actorId: 'u1',
      details: { device: 'c'.repeat(12), knownDevices: 1 },
    });
    expect(await detector.observe(login('c'.repeat(32)))).toEqual([]);
  });
});
