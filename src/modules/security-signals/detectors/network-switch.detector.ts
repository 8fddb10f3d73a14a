import type { WindowCounter } from '../counters/window-counter.js';
import { type NetworkPrefixes, networkOf } from '../network.js';
import type { SecurityDetector, SecurityObservation, SecuritySignal } from '../security-signal.js';
import type { SignalSubjects } from '../signal-subjects.js';

/** The shared window is rewritten at most this often per session and network: a tenth of the window. */
const REFRESH_FRACTION = 10;

/**
 * One session used (or logged in, then used) from two networks within
 * SIGNAL_NETWORK_SWITCH_WINDOW_SECONDS: a stolen token replayed elsewhere. Without geo data,
 * "distant" is approximated by "another network": the IPv4 /16 or IPv6 /32 around the address
 * (configurable), so a DHCP renewal or a hop inside one ISP's block stays quiet. Only an HMAC of
 * the network is kept, for the window, keyed by session.
 *
 * This runs on every request of a session, so `recent` (this process's memory) skips the shared
 * window for a session and network this replica wrote there less than a tenth of the window ago:
 * Redis sees a steady session once per tenth of the window, and its entry still outlives the last
 * use by nine tenths of it. Any other network goes to the shared window at once.
 */
export class NetworkSwitchDetector implements SecurityDetector {
  readonly name = 'network-switch';
  readonly observes = ['session-used', 'login'] as const;

  constructor(
    private readonly counter: WindowCounter,
    private readonly recent: WindowCounter,
    private readonly subjects: SignalSubjects,
    private readonly settings: { windowSeconds: number; prefixes: NetworkPrefixes },
  ) {}

  async observe(observation: SecurityObservation): Promise<SecuritySignal[]> {
    if (observation.kind !== 'session-used' && observation.kind !== 'login') return [];
    const network = networkOf(observation.ip, this.settings.prefixes);
    if (!network) return [];
    const windowMs = this.settings.windowSeconds * 1000;
    const { sessionId, userId } = observation;
    const current = this.subjects.hash('network', network);
    const key = this.subjects.key(this.name, sessionId);
    // Skipping loses nothing: whoever writes another network over this one compares it and fires.
    if (!(await this.recent.claim(`${key}:${current}`, windowMs / REFRESH_FRACTION))) return [];
    const previous = await this.counter.swap(key, current, windowMs);
    if (!previous || previous === current) return [];
    if (!(await this.counter.claim(this.subjects.key(this.name, 'fired', sessionId), windowMs))) return [];
    return [
      {
        detector: this.name,
        severity: 'warning',
        actorId: userId,
        resourceType: 'session',
        resourceId: sessionId,
        details: { fromNetwork: previous, toNetwork: current, windowSeconds: this.settings.windowSeconds },
      },
    ];
  }
}
