import { isIP } from 'node:net';

/** The prefix lengths that make two addresses "the same network" (SIGNAL_NETWORK_IPV4/6_PREFIX). */
export interface NetworkPrefixes {
  ipv4: number;
  ipv6: number;
}

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
}

function ipv6Bits(address: string): bigint {
  const [head, tail] = address.split('%')[0].split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const all =
    tail === undefined
      ? groups(head)
      : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

/**
 * `ipv4:203.0/16`-like text naming the network an address is in: its first `prefix` bits. IPv4 in
 * IPv6 (`::ffff:203.0.113.5`, as a dual-stack socket reports it) counts as IPv4. Undefined for
 * anything `isIP` refuses. Only ever stored as an HMAC (see NetworkSwitchDetector).
 */
export function networkOf(ip: string, prefixes: NetworkPrefixes): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const family = isIP(address);
  if (family === 4) return prefixText('ipv4', ipv4Bits(address), 32, prefixes.ipv4);
  // Other IPv4-embedding forms (`64:ff9b::203.0.113.5`) are left out rather than guessed at.
  if (family === 6 && !address.includes('.')) return prefixText('ipv6', ipv6Bits(address), 128, prefixes.ipv6);
  return undefined;
}

function prefixText(family: string, bits: bigint, width: number, prefix: number): string {
  return `${family}:${(bits >> BigInt(width - prefix)).toString(16)}/${prefix}`;
}
