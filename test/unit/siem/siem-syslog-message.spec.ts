import { octetCounted, rfc5424Message } from '../../../src/common/syslog';
import type { AuditSnapshot } from '../../../src/modules/audit/audit-outbox-event';
import { siemSyslogMessage } from '../../../src/modules/siem/syslog/siem-syslog-message';
import { parseRfc5424 } from '../../integration/siem/siem-receivers';

const anEvent = (overrides: Partial<AuditSnapshot> = {}): AuditSnapshot => ({
  id: '0193a1b2-0000-7000-8000-000000000001',
  shard: 3,
  seq: 42,
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  occurredAt: '2026-12-02T06:00:00.123Z',
  action: 'auth.login.failed',
  actorId: 'anonymous',
  actorRole: 'anonymous',
  resourceType: 'user',
  resourceId: null,
  outcome: 'failure',
  severity: 'warning',
  route: 'POST /auth/login',
  traceId: null,
  ...overrides,
});

describe('SIEM syslog message', () => {
  it('is RFC 5424: PRI from facility and severity, the event time, MSGID the action, SD with id, shard and seq, MSG the snapshot', () => {
    const event = anEvent();
    const text = siemSyslogMessage(event, 13, 'app-1');
    expect(text).toBe(
      `<108>1 2026-12-02T06:00:00.123Z app-1 compliance-kit ${process.pid} auth.login.failed ` +
        `[audit@32473 eventId="${event.id}" shard="3" seq="42"] ${JSON.stringify(event)}`,
    );
    const parsed = parseRfc5424(text);
    expect(parsed).toMatchObject({ pri: 13 * 8 + 4, msgId: 'auth.login.failed', sdId: 'audit@32473' });
    expect(parsed.params).toEqual({ eventId: event.id, shard: '3', seq: '42' });
    expect(JSON.parse(parsed.msg)).toEqual(event);
  });

  it.each([
    ['info', 6],
    ['warning', 4],
    ['critical', 2],
  ])('maps severity %s to syslog severity %d', (severity, expected) => {
    expect(parseRfc5424(siemSyslogMessage(anEvent({ severity }), 10)).pri).toBe(10 * 8 + expected);
  });

  it('keeps a hostile action from breaking the header: printable ASCII only, at most 32 characters', () => {
    const parsed = parseRfc5424(siemSyslogMessage(anEvent({ action: 'evil action]\n<1>1 forged' }), 13, 'h'));
    expect(parsed.msgId).toBe('evil_action]_<1>1_forged');
    const long = parseRfc5424(siemSyslogMessage(anEvent({ action: 'x'.repeat(40) }), 13, 'h'));
    expect(long.msgId).toBe('x'.repeat(32));
    expect(parseRfc5424(siemSyslogMessage(anEvent({ action: '' }), 13, 'h')).msgId).toBe('-');
  });

  it('escapes ", \\ and ] in structured data values', () => {
    const text = rfc5424Message({
      facility: 13,
      severity: 6,
      timestamp: new Date('2026-12-02T06:00:00Z'),
      msgId: 'm',
      structuredData: { id: 'x@32473', params: [['v', 'a"b\\c]d']] },
      msg: 'hi',
      host: 'h',
    });
    expect(text).toContain('[x@32473 v="a\\"b\\\\c\\]d"] hi');
    expect(parseRfc5424(text).params.v).toBe('a"b\\c]d');
  });

  it('frames with octet counting in bytes, not characters', () => {
    const frame = octetCounted('<110>1 - - - - - - é');
    expect(frame.toString('utf8')).toBe(`${Buffer.byteLength('<110>1 - - - - - - é')} <110>1 - - - - - - é`);
    expect(frame.toString('utf8').startsWith('21 ')).toBe(true);
  });
});
