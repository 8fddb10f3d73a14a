import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator, LAST_USED_GRANULARITY_MS } from '../../../src/modules/api-keys/api-key-authenticator';
import type { ApiKey, StoredSecret } from '../../../src/modules/api-keys/api-key';
import { newApiKeySecret } from '../../../src/modules/api-keys/api-key-secret';
import type { ApiKeysRepository } from '../../../src/modules/api-keys/api-keys.repository';
import { withChecksum } from '../../support/builders/api-key.builder';

const aKey = (overrides: Partial<ApiKey> = {}): ApiKey => ({
  id: '0f5c1b8e-6a2d-4c3f-9e7a-1d2b3c4d5e6f',
  name: 'scanner',
  role: 'analyst',
  createdBy: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  createdAt: new Date('2026-11-01T00:00:00Z'),
  lastUsedAt: null,
  expiresAt: null,
  allowedCidrs: [],
  revokedAt: null,
  ...overrides,
});

/** A typed fake of the repository holding one secret per lookup id. */
class FakeKeys {
  readonly secrets = new Map<string, StoredSecret>();
  readonly touches: string[] = [];
  lookups = 0;

  findSecret(lookupId: string): Promise<StoredSecret | undefined> {
    this.lookups++;
    return Promise.resolve(this.secrets.get(lookupId));
  }

  touch(id: string): Promise<void> {
    this.touches.push(id);
    return Promise.resolve();
  }
}

const request = (headers: Record<string, string | string[]>, ip = '203.0.113.5') =>
  ({ headers, ip }) as unknown as FastifyRequest;

describe('ApiKeyAuthenticator', () => {
  let keys: FakeKeys;
  let authenticator: ApiKeyAuthenticator;
  const stored = newApiKeySecret();
  const now = new Date('2026-11-20T10:00:00Z');
  beforeEach(() => {
    keys = new FakeKeys();
    keys.secrets.set(stored.lookupId, { key: aKey(), hash: stored.hash, expiresAt: null });
    authenticator = new ApiKeyAuthenticator(keys as unknown as ApiKeysRepository);
  });
  afterEach(() => jest.restoreAllMocks());

  it('admits the right secret as an api-key principal with the key id as actor', async () => {
    const check = await authenticator.check(stored.secret, '203.0.113.5', now);
    expect(check).toMatchObject({ ok: true, principal: { kind: 'api-key', id: aKey().id, role: 'analyst' } });
  });

  it('does the same work for an unknown lookup id as for a wrong secret: one lookup, one constant-time comparison', async () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    const unknown = newApiKeySecret().secret;
    // The stored lookup id with another secret, and a checksum that fits: well formed, only wrong.
    const wrong = withChecksum(`${stored.secret.slice(0, 21)}${newApiKeySecret().secret.slice(21, 64)}`);

    const unknownCheck = await authenticator.check(unknown, '203.0.113.5', now);
    const wrongCheck = await authenticator.check(wrong, '203.0.113.5', now);

    expect(unknownCheck).toMatchObject({ ok: false, reason: 'unknown' });
    expect(wrongCheck).toMatchObject({ ok: false, reason: 'wrong-secret', keyId: aKey().id });
    expect(keys.lookups).toBe(2);
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [presented, against] of compare.mock.calls) {
      expect([(presented as Buffer).length, (against as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('refuses malformed keys without a lookup', async () => {
    // Change the last checksum character to one it is not, so the checksum no longer fits.
    const last = stored.secret.slice(-1) === '0' ? '1' : '0';
    const check = await authenticator.check(`${stored.secret.slice(0, -1)}${last}`, '203.0.113.5', now);
    expect(check).toMatchObject({ ok: false, reason: 'malformed' });
    expect(keys.lookups).toBe(0);
  });

  it.each([
    ['revoked', aKey({ revokedAt: new Date('2026-11-19T00:00:00Z') }), null],
    ['expired', aKey({ expiresAt: new Date('2026-11-20T09:59:59Z') }), null],
    ['secret-expired', aKey(), new Date('2026-11-20T09:00:00Z')],
    ['outside-allowed-cidrs', aKey({ allowedCidrs: ['10.0.0.0/8'] }), null],
  ])('refuses a correct secret when %s', async (reason, key, secretExpiresAt) => {
    keys.secrets.set(stored.lookupId, { key, hash: stored.hash, expiresAt: secretExpiresAt });
    const check = await authenticator.check(stored.secret, '203.0.113.5', now);
    expect(check).toMatchObject({ ok: false, reason, keyId: key.id });
    expect(keys.touches).toEqual([]);
  });

  it('records use at most once per granularity per key', async () => {
    await authenticator.check(stored.secret, '203.0.113.5', now);
    await authenticator.check(stored.secret, '203.0.113.5', new Date(now.getTime() + LAST_USED_GRANULARITY_MS - 1));
    expect(keys.touches).toHaveLength(1);
    await authenticator.check(stored.secret, '203.0.113.5', new Date(now.getTime() + LAST_USED_GRANULARITY_MS));
    expect(keys.touches).toHaveLength(2);
  });

  it('checks a request once, whoever asks (rate limiter, then guard)', async () => {
    const req = request({ 'x-api-key': stored.secret });
    const first = authenticator.authenticate(req);
    expect(authenticator.authenticate(req)).toBe(first);
    await first;
    expect(keys.lookups).toBe(1);
  });

  it('reads keys from X-API-Key or a ck_live_ bearer token, leaves session tokens alone, and refuses both headers at once', async () => {
    expect(
      authenticator.presents(request({ authorization: 'Bearer q1Vb0m3Q9cT0sF3kY3gk1m2n8rJ6q0wY3Vq8E1bP3aA' })),
    ).toBe(false);
    expect(authenticator.presents(request({}))).toBe(false);
    expect(await authenticator.authenticate(request({ authorization: `Bearer ${stored.secret}` }))).toMatchObject({
      ok: true,
    });
    expect(await authenticator.authenticate(request({ 'x-api-key': stored.secret }))).toMatchObject({ ok: true });
    const both = request({ 'x-api-key': stored.secret, authorization: `Bearer ${stored.secret}` });
    expect(await authenticator.authenticate(both)).toMatchObject({ ok: false, reason: 'two-credentials' });
  });
});
