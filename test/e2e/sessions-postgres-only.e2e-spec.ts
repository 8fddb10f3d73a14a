import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';

describe('sessions without Redis (embedded default store)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ REDIS_URL: undefined, THROTTLE_LOGIN_LIMIT: '3' })));
  afterAll(() => t.close());

  it('logs in, validates and logs out with Postgres as the only store', async () => {
    const input = aUser();
    await t.app.get(UsersService).create(input);
    const res = await t.http().post('/auth/login').send({ email: input.email, password: input.password }).expect(200);
    const auth = { Authorization: `Bearer ${res.body.token}` };
    await t.http().get('/auth/session').set(auth).expect(200);
    expect((await t.http().get('/health')).body.details.sessions).toMatchObject({ status: 'up', mode: 'postgres' });
    await t.http().post('/auth/logout').set(auth).expect(204);
    await t.http().get('/auth/session').set(auth).expect(401);
  });

  it('rate-limits login per client with 429 problem+json', async () => {
    const attempt = () => t.http().post('/auth/login').send({ email: 'a@example.com', password: 'nope nope nope' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(-1)).toEqual([429]);
    const limited = await attempt();
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    await t.http().get('/health/live').expect(200);
  });
});
