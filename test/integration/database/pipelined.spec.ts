import { pipelined, PipelineStep } from '../../../src/infrastructure/database/pipelined';
import { openProbeDatabase, ProbeDatabase } from '../../support/probe-database';

describe('pipelined statements in one transaction, on real Postgres', () => {
  let probe: ProbeDatabase;
  beforeAll(async () => {
    probe = await openProbeDatabase('CREATE TABLE probe (n serial PRIMARY KEY, label text NOT NULL)');
  });
  afterAll(() => probe.close());
  beforeEach(() => probe.db.query('TRUNCATE probe RESTART IDENTITY'));

  const insert =
    (label: string): PipelineStep =>
    () =>
      probe.transactions.manager.query('INSERT INTO probe (label) VALUES ($1)', [label]);
  const labels = async () =>
    (await probe.db.query<{ label: string }>('SELECT label FROM probe ORDER BY n')).map((r) => r.label);

  it('runs every statement, in the order given, in the caller’s transaction', async () => {
    await probe.transactions.run(() => pipelined(['a', 'b', 'c', 'd'].map(insert)));
    expect(await labels()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('prepares the next statement while Postgres still runs the previous one', async () => {
    const timeline: string[] = [];
    await probe.transactions.run(() =>
      pipelined([
        async () => {
          await probe.transactions.manager.query('SELECT pg_sleep(0.2)');
          timeline.push('slow statement done');
        },
        async () => void timeline.push('next statement prepared'),
      ]),
    );
    expect(timeline).toEqual(['next statement prepared', 'slow statement done']);
  });

  it('rethrows a failed statement’s error, and the transaction writes nothing', async () => {
    const failing: PipelineStep = () => probe.transactions.manager.query('INSERT INTO probe (label) VALUES (NULL)');
    await expect(probe.transactions.run(() => pipelined([insert('a'), failing, insert('c')]))).rejects.toThrow(
      /null value in column "label"/,
    );
    expect(await labels()).toEqual([]);
  });

  it('prepares nothing once a step has failed', async () => {
    let preparedAfterFailure = false;
    const steps: PipelineStep[] = [
      insert('a'),
      () => Promise.reject(new Error('encoding failed')),
      async () => void (preparedAfterFailure = true),
    ];
    await expect(probe.transactions.run(() => pipelined(steps))).rejects.toThrow('encoding failed');
    expect(preparedAfterFailure).toBe(false);
    expect(await labels()).toEqual([]);
  });
});
