import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { type Role, ROLES } from '../../src/common/auth/roles';
import { startTestApp, TestApp } from '../support/app';
import { aUser, type UserInput } from '../support/builders/user.builder';
import { waitFor } from '../support/wait-for';

const PII_FIELDS = ['email', 'phone', 'ssn', 'address', 'displayName'] as const;
type PiiField = (typeof PII_FIELDS)[number];
type View = Record<PiiField, string | null> & { id: string; masked: boolean };

/** A user whose every PII value is unique, so a value seen in clear can only be theirs. */
function distinctUser(role: Role): UserInput {
  const tag = randomBytes(3).toString('hex');
  const digits = String(parseInt(tag, 16) % 10_000).padStart(4, '0');
  return aUser({
    role,
    phone: `+1415555${digits}`,
    ssn: `123-45-${digits}`,
    address: `${digits} Elm St ${tag}`,
    displayName: `Person ${tag}`,
  });
}

/**
 * Issue 15, section 3: PII in clear only for admins and the user themself. Every route that
 * returns a user, for every role, both for someone else and for the caller themself, field by field.
 */
describe('users: the role × PII-field matrix on every route that returns a user', () => {
  let t: TestApp;
  const viewers = new Map<Role, { token: string; id: string; input: UserInput }>();
  let target: { id: string; input: UserInput };
  let adminToken: string;

  const agent = (token: string) => ({
    get: (url: string) => request(t.app.getHttpServer()).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string) => request(t.app.getHttpServer()).post(url).set('Authorization', `Bearer ${token}`),
    patch: (url: string) => request(t.app.getHttpServer()).patch(url).set('Authorization', `Bearer ${token}`),
  });

  async function createUser(role: Role) {
    const input = distinctUser(role);
    const res = await agent(adminToken).post('/users').send(input).expect(201);
    return { id: res.body.id as string, input };
  }

  /** Each field: exactly the stored value when `clear`, else a mask that does not contain it. */
  function expectPii(view: View, input: UserInput, clear: boolean, label: string) {
    for (const field of PII_FIELDS) {
      const stored = input[field] as string;
      const context = `${label}: ${field}`;
      if (clear) expect({ context, value: view[field] }).toEqual({ context, value: stored });
      else {
        expect({ context, value: view[field] }).not.toEqual({ context, value: stored });
        expect({ context, leaked: String(view[field]).includes(stored) }).toEqual({ context, leaked: false });
      }
    }
    expect({ label, masked: view.masked }).toEqual({ label, masked: !clear });
  }

  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '100' });
    adminToken = (await t.as('admin')).token;
    for (const role of ROLES) {
      const user = await createUser(role);
      const login = await request(t.app.getHttpServer())
        .post('/auth/login')
        .send({ email: user.input.email, password: user.input.password })
        .expect(200);
      viewers.set(role, { ...user, token: login.body.token });
    }
    target = await createUser('analyst');
  });
  afterAll(() => t.close());

  describe.each(ROLES)('as %s', (role) => {
    const isAdmin = role === 'admin';
    const me = () => viewers.get(role)!;

    it('GET /users: others in clear only for an admin, the caller always', async () => {
      const res = await agent(me().token).get('/users?pageSize=200').expect(200);
      const items = res.body.items as View[];
      expectPii(
        items.find((item) => item.id === target.id)!,
        target.input,
        isAdmin,
        `${role} lists another user`,
      );
      expectPii(
        items.find((item) => item.id === me().id)!,
        me().input,
        true,
        `${role} lists themself`,
      );
      for (const [other, viewer] of viewers) {
        if (other === role) continue;
        const item = items.find((candidate) => candidate.id === viewer.id)!;
        expectPii(item, viewer.input, isAdmin, `${role} lists the ${other}`);
      }
    });

    it('GET /users/{id}: another user in clear only for an admin, the caller always', async () => {
      const other = await agent(me().token).get(`/users/${target.id}`).expect(200);
      expectPii(other.body, target.input, isAdmin, `${role} reads another user`);
      const self = await agent(me().token).get(`/users/${me().id}`).expect(200);
      expectPii(self.body, me().input, true, `${role} reads themself`);
    });

    it('PATCH /users/{id}: the caller themself in clear; another user only by an admin, in clear', async () => {
      const self = await agent(me().token).patch(`/users/${me().id}`).send({ address: me().input.address }).expect(200);
      expectPii(self.body, me().input, true, `${role} updates themself`);
      const other = await agent(me().token).patch(`/users/${target.id}`).send({ address: target.input.address });
      if (isAdmin) expectPii(other.body, target.input, true, 'admin updates another user');
      else {
        expect(other.status).toBe(403);
        for (const field of PII_FIELDS) expect(JSON.stringify(other.body)).not.toContain(target.input[field]);
      }
    });

    it('POST /users and POST /users/{id}/disable: in clear for the admin who may call them, refused to the rest', async () => {
      const input = distinctUser('service');
      const created = await agent(me().token).post('/users').send(input);
      const victim = await createUser('service');
      const disabled = await agent(me().token).post(`/users/${victim.id}/disable`);
      if (isAdmin) {
        expect([created.status, disabled.status]).toEqual([201, 200]);
        expectPii(created.body, input, true, 'admin creates a user');
        expectPii(disabled.body, victim.input, true, 'admin disables a user');
      } else {
        expect([created.status, disabled.status]).toEqual([403, 403]);
        for (const field of PII_FIELDS) {
          expect(JSON.stringify([created.body, disabled.body])).not.toContain(victim.input[field]);
        }
      }
    });

    it('GET /search?index=users: hits carry no PII for any role that may search', async () => {
      const search = () => agent(me().token).get('/search?index=users&q=user&pageSize=100');
      if (role === 'service') {
        expect((await search()).status).toBe(403);
        return;
      }
      await waitFor(async () => {
        const res = await search();
        return res.status === 200 && (res.body.hits as { id: string }[]).some((hit) => hit.id === target.id);
      });
      const text = JSON.stringify((await search().expect(200)).body);
      for (const user of [target, ...viewers.values()]) {
        for (const field of PII_FIELDS) expect(text).not.toContain(user.input[field]);
      }
    });
  });
});
