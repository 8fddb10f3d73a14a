import { InProcessWindowCounter } from '../../../src/modules/security-signals/counters/in-process-window-counter';
import { networkOf } from '../../../src/modules/security-signals/network';

describe('InProcessWindowCounter', () => {
  it('counts within a window started by the first hit, and starts afresh after it', async () => {
    let now = 0;
    const counter = new InProcessWindowCounter(10, () => now);
    expect(await counter.add('k', 1, 1000)).toBe(1);
    now = 999;
    expect(await counter.add('k', 2, 1000)).toBe(3);
    now = 1000;
    expect(await counter.add('k', 1, 1000)).toBe(1);
  });

  it('claims a key once per window and swaps values until they expire', async () => {
    let now = 0;
    const counter = new InProcessWindowCounter(10, () => now);
    expect(await counter.claim('c', 100)).toBe(true);
    expect(await counter.claim('c', 100)).toBe(false);
    expect(await counter.swap('s', 'a', 100)).toBeUndefined();
    expect(await counter.swap('s', 'b', 100)).toBe('a');
    now = 250;
    expect(await counter.claim('c', 100)).toBe(true);
    expect(await counter.swap('s', 'c', 100)).toBeUndefined();
  });

  it('keeps at most maxEntries keys, dropping the oldest written', async () => {
    const counter = new InProcessWindowCounter(3, () => 0);
    for (const key of ['a', 'b', 'c', 'd']) await counter.add(key, 1, 1000);
    expect(counter.size).toBe(3);
    expect(await counter.add('a', 1, 1000)).toBe(1);
    expect(await counter.add('d', 1, 1000)).toBe(2);
  });
});

describe('networkOf', () => {
  const prefixes = { ipv4: 16, ipv6: 32 };

  it('names the IPv4 /16 and the IPv6 /32 of an address, IPv4-mapped IPv6 as IPv4', () => {
    expect(networkOf('198.51.100.7', prefixes)).toBe(networkOf('198.51.0.1', prefixes));
    expect(networkOf('::ffff:198.51.100.7', prefixes)).toBe(networkOf('198.51.0.1', prefixes));
    expect(networkOf('198.52.100.7', prefixes)).not.toBe(networkOf('198.51.100.7', prefixes));
    expect(networkOf('2001:db8::1', prefixes)).toBe(networkOf('2001:0db8:abcd::', prefixes));
    expect(networkOf('2001:db9::1', prefixes)).not.toBe(networkOf('2001:db8::1', prefixes));
    expect(networkOf('198.51.100.7', { ipv4: 24, ipv6: 32 })).not.toBe(networkOf('198.51.7.7', { ipv4: 24, ipv6: 32 }));
  });

  it('gives nothing for what is not an address', () => {
    expect(networkOf('not-an-ip', prefixes)).toBeUndefined();
    expect(networkOf('', prefixes)).toBeUndefined();
  });
});
