import { startAppProcess } from '../support/process';

describe('configuration at boot', () => {
  it('refuses to start with a one-line message naming the bad variable', async () => {
    const failure = startAppProcess(
      { PORT: 'not-a-port', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' },
      20_000,
    );
    await expect(failure).rejects.toThrow(/app exited with 1 before listening:\nInvalid configuration: PORT [^\n]+\n$/);
  });
});
