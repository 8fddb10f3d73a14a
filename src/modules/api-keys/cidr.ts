import { BlockList, isIP } from 'node:net';

/** The 16 or 4 bytes of an address `isIP` accepted, as a big integer, with its width in bits. */
function addressBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
  let text = address.split('%')[0];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bits = addressBits(v4[1], 4);
    text = text.slice(0, -v4[1].length) + `${(bits >> 16n).toString(16)}:${(bits & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all =
    tail === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/**
 * `203.0.113.0/24` or `2001:db8::/32`, as Postgres' `cidr` takes it: an explicit prefix and no
 * host bits set (`10.0.0.1/8` is refused rather than widened or narrowed behind the caller's back).
 */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const family = isIP(match[1]);
  if (family !== 4 && family !== 6) return undefined;
  const width = family === 4 ? 32 : 128;
  const prefix = Number(match[2]);
  if (prefix > width) return undefined;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((addressBits(match[1], family) & hostMask) !== 0n) return undefined;
  return { address: match[1], prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `ip` is inside one of `cidrs`; an empty list allows every address. IPv4-mapped IPv6 matches IPv4 ranges. */
export function allowedFrom(cidrs: string[], ip: string): boolean {
  if (!cidrs.length) return true;
  const family = isIP(ip);
  if (!family) return false;
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (cidr) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
