import { encodeCopyRows, sendCopyRows } from '../../../src/infrastructure/database/copy-rows';
import { pipelined } from '../../../src/infrastructure/database/pipelined';
import { openProbeDatabase, ProbeDatabase } from '../../support/probe-database';

describe('a COPY among pipelined statements, on real Postgres', () => {
  let probe: ProbeDatabase;
  beforeAll(async () => {
    probe = await openProbeDatabase('CREATE TABLE copied (n int, at timestamptz NOT NULL DEFAULT clock_timestamp())');
  });
  afterAll(() => probe.close());

  it('has its rows copied while Node prepares the next statement, not after', async () => {
    let busyUntil = 0;
    await probe.transactions.run((manager) =>
      pipelined([
        () => () => sendCopyRows(manager, 'copied', ['n'], encodeCopyRows([[1], [2], [3]])),
        () => {
          // Stands for the next chunk's synchronous encoding, which keeps the event loop busy.
          busyUntil = Date.now() + 400;
          while (Date.now() < busyUntil) {
            // busy
          }
          return () => Promise.resolve();
        },
      ]),
    );
    const [row] = await probe.db.query<{ at: Date }>('SELECT max(at) AS at FROM copied');
    expect(new Date(row.at).getTime()).toBeLessThan(busyUntil - 200);
  });
});
