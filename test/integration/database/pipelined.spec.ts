import { pipelined, PipelineStep } from '../../../src/infrastructure/database/pipelined';
import { openProbeDatabase, ProbeDatabase } from '../../support/probe-database';

describe('pipelined statements in one transaction, on real Postgres', () => {
  let probe: ProbeDatabase;
  beforeAll(async () => {
    probe = await openProbeDatabase('CREATE TABLE probe (n serial PRIMARY KEY, label text)');
  });
  afterAll(() => probe.close());
  beforeEach(() => probe.db.query('TRUNCATE probe RESTART IDENTITY'));

  const query = (sql: string, parameters: unknown[] = []) => probe.transactions.manager.query(sql, parameters);
  const insert =
    (label: string | null): PipelineStep =>
    () =>
    () =>
      query('INSERT INTO probe (label) VALUES ($1)', [label]);
  const labels = async () =>
    (await probe.db.query<{ label: string }>('SELECT label FROM probe ORDER BY n')).map((r) => r.label);

  it('runs every statement, in the order given, in the caller’s transaction', async () => {
    await probe.transactions.run(() => pipelined(['a', 'b', 'c', 'd'].map(insert)));
    expect(await labels()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('prepares the next statement while Postgres runs the previous one, and sends it only after', async () => {
    const timeline: string[] = [];
    const step =
      (name: string, sql: string): PipelineStep =>
      () => {
        timeline.push(`${name} prepared`);
        return async () => {
          timeline.push(`${name} sent`);
          await query(sql);
          timeline.push(`${name} done`);
        };
      };
    await probe.transactions.run(() =>
      pipelined([step('slow', 'SELECT pg_sleep(0.2)'), step('next', 'SELECT 1'), step('last', 'SELECT 2')]),
    );
    expect(timeline).toEqual([
      'slow prepared',
      'slow sent',
      'next prepared',
      'slow done',
      'next sent',
      'last prepared',
      'next done',
      'last sent',
      'last done',
    ]);
  });

  it('rethrows a failed statement’s error, sends nothing after it, and the transaction writes nothing', async () => {
    let sentAfterFailure = false;
    const after: PipelineStep = () => () => {
      sentAfterFailure = true;
      return query('SELECT 1');
    };
    await expect(
      probe.transactions.run(async () => {
        await query('ALTER TABLE probe ALTER COLUMN label SET NOT NULL');
        await pipelined([insert('a'), insert(null), after]);
      }),
    ).rejects.toThrow(/null value in column "label"/);
    expect(sentAfterFailure).toBe(false);
    expect(await labels()).toEqual([]);
  });

  it('prepares nothing once a statement has failed', async () => {
    let preparedAfterFailure = false;
    const steps: PipelineStep[] = [
      insert('a'),
      () => () => Promise.reject(new Error('statement failed')),
      () => {
        preparedAfterFailure = true;
        return () => query('SELECT 1');
      },
    ];
    await expect(probe.transactions.run(() => pipelined(steps))).rejects.toThrow('statement failed');
    expect(preparedAfterFailure).toBe(false);
    expect(await labels()).toEqual([]);
  });

  it('waits for the statement in flight before rethrowing a failed preparation', async () => {
    let slowDone = false;
    const slow: PipelineStep = () => async () => {
      await query('SELECT pg_sleep(0.1)');
      slowDone = true;
    };
    const failing: PipelineStep = () => {
      throw new Error('encoding failed');
    };
    await expect(probe.transactions.run(() => pipelined([slow, failing]))).rejects.toThrow('encoding failed');
    expect(slowDone).toBe(true);
  });
});
