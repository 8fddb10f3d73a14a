import { allowedFrom, parseCidr } from '../../../src/modules/api-keys/cidr';

describe('allowed networks of an API key', () => {
  it.each([
    '203.0.113.0/24',
    '10.0.0.0/8',
    '0.0.0.0/0',
    '192.0.2.7/32',
    '2001:db8::/32',
    '::1/128',
    '::/0',
    '2001:db8:0:0:1::/80',
    '::ffff:10.0.0.0/104',
  ])('accepts %s', (text) => expect(parseCidr(text)).toBeDefined());

  it.each([
    '10.0.0.1/8',
    '203.0.113.7',
    '2001:db8::1/32',
    '10.0.0.0/33',
    '2001:db8::/129',
    'example.com/24',
    '10.0.0/8',
    '',
    '10.0.0.0/8 ',
  ])('refuses %j (no prefix, host bits set, or not a network)', (text) => expect(parseCidr(text)).toBeUndefined());

  it('lets every address in when the list is empty', () => {
    expect(allowedFrom([], '198.51.100.1')).toBe(true);
  });

  it('checks IPv4, IPv6 and IPv4-mapped IPv6 peers against the list', () => {
    const cidrs = ['203.0.113.0/24', '2001:db8::/32'];
    expect(allowedFrom(cidrs, '203.0.113.200')).toBe(true);
    expect(allowedFrom(cidrs, '::ffff:203.0.113.9')).toBe(true);
    expect(allowedFrom(cidrs, '2001:db8:1::5')).toBe(true);
    expect(allowedFrom(cidrs, '203.0.114.1')).toBe(false);
    expect(allowedFrom(cidrs, '2001:db9::1')).toBe(false);
    expect(allowedFrom(cidrs, 'not-an-ip')).toBe(false);
  });
});
