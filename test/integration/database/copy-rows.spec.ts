import { copyRows, encodeCopyRows } from '../../../src/infrastructure/database/copy-rows';
import { openProbeDatabase, ProbeDatabase } from '../../support/probe-database';

describe('copyRows on real Postgres', () => {
  let probe: ProbeDatabase;
  beforeAll(async () => {
    probe = await openProbeDatabase('CREATE TABLE probe (n int PRIMARY KEY, label text, amount numeric, doc jsonb)');
  });
  afterAll(() => probe.close());
  beforeEach(() => probe.db.query('TRUNCATE probe'));

  const copy = (rows: (string | number | null)[][]) =>
    probe.transactions.run((manager) =>
      copyRows(manager, 'probe', ['n', 'label', 'amount', 'doc'], encodeCopyRows(rows)),
    );
  const stored = () =>
    probe.db.query<{ n: number; label: string | null; amount: string | null; doc: unknown }>(
      'SELECT n, label, amount::text AS amount, doc FROM probe ORDER BY n',
    );

  it('stores text exactly, whatever characters COPY treats specially, and NULL as NULL', async () => {
    const labels = [
      'tab\there',
      'line\nbreak',
      'carriage\rreturn',
      'back\\slash',
      '\\N',
      '\\.',
      'é 😀 \u0001',
      '',
      null,
    ];
    const doc = { quote: '"', backslash: '\\', newline: '\n', nested: { list: [1, 'two'] } };
    await copy(labels.map((label, n) => [n, label, n + 0.25, JSON.stringify(doc)]));
    const rows = await stored();
    expect(rows.map((row) => row.label)).toEqual(labels);
    expect(rows.map((row) => row.amount)).toEqual(labels.map((_, n) => String(n + 0.25)));
    expect(rows.map((row) => row.doc)).toEqual(labels.map(() => doc));
  });

  it('commits and rolls back with the caller’s transaction', async () => {
    await expect(
      probe.transactions.run(async (manager) => {
        await copyRows(manager, 'probe', ['n', 'label'], encodeCopyRows([[1, 'rolled back']]));
        throw new Error('after the copy');
      }),
    ).rejects.toThrow('after the copy');
    expect(await stored()).toEqual([]);
  });

  it('fails as the statement does, on a constraint, and refuses to run outside a transaction', async () => {
    await expect(
      copy([
        [1, 'a', null, null],
        [1, 'b', null, null],
      ]),
    ).rejects.toThrow(/duplicate key/);
    expect(await stored()).toEqual([]);
    await expect(copyRows(probe.dataSource.manager, 'probe', ['n'], '1\n')).rejects.toThrow(/inside a transaction/);
  });
});
