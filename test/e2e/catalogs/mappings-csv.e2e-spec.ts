import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../../support/app';

/** A tiny OSCAL catalog, illustrative only: one group holding the given controls, each with a label. */
function aCatalog(title: string, controls: [id: string, label: string, title: string][]) {
  return {
    catalog: {
      uuid: randomUUID(),
      metadata: { title, 'last-modified': '2026-12-01T00:00:00Z', version: '1', 'oscal-version': '1.0.6' },
      groups: [
        {
          id: 'g',
          title: 'Illustrative',
          controls: controls.map(([id, label, t]) => ({ id, title: t, props: [{ name: 'label', value: label }] })),
        },
      ],
    },
  };
}

const HEADER = 'from_framework,from_control,relationship,to_framework,to_control,strength,rationale';
const RATIONALE = 'Both ask for encryption, "at rest" and in transit,\r\nwith managed keys.';

/** The same three mappings as JSON items and as CSV rows (CRLF, quoted rationale, an empty strength). */
const ITEMS = [
  {
    from: { framework: 'CSV-GDPR', control: 'art-32' },
    to: { framework: 'CSV-ISO', control: 'a-8-24' },
    relationship: 'subset-of',
    strength: 7,
    rationale: RATIONALE,
  },
  {
    from: { framework: 'CSV-ISO', control: 'a-8-24' },
    to: { framework: 'CSV-SOC', control: 'cc6-1' },
    relationship: 'intersects-with',
  },
  {
    from: { framework: 'CSV-SOC', control: 'CC6.1' },
    to: { framework: 'CSV-GDPR', control: 'art-32' },
    relationship: 'equivalent',
    strength: 3,
  },
];
const CSV = [
  HEADER,
  `csv-gdpr,art-32,subset-of,CSV-ISO,a-8-24,7,"${RATIONALE.replaceAll('"', '""')}"`,
  'CSV-ISO,a-8-24,intersects-with,CSV-SOC,cc6-1,,',
  'CSV-SOC,CC6.1,equivalent,CSV-GDPR,art-32,3,',
  '',
].join('\r\n');

describe('control mappings imported from CSV', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.as('admin');
    const catalogs = {
      'CSV-GDPR': aCatalog('GDPR (illustrative)', [['art-32', 'Art.32', 'Security of processing']]),
      'CSV-ISO': aCatalog('ISO 27001 (illustrative)', [['a-8-24', 'A.8.24', 'Encryption and key management']]),
      'CSV-SOC': aCatalog('SOC 2 (illustrative)', [['cc6-1', 'CC6.1', 'Logical access security']]),
    };
    for (const [framework, catalog] of Object.entries(catalogs)) {
      await admin.post(`/catalogs/import?framework=${framework}`).send(catalog).expect(200);
    }
  });
  afterAll(() => t.close());

  const postCsv = async (text: string | Buffer, query = '?source=csv-e2e', contentType = 'text/csv') =>
    (await t.as('admin')).post(`/catalogs/mappings/import${query}`).set('content-type', contentType).send(text);
  const fields = (res: { body: { errors: { field: string; messages: string[] }[] } }) =>
    res.body.errors.map((e) => e.field);
  const edgesOf = (source: string) =>
    t.db.query(
      `SELECT f.framework || '/' || f.control_id AS "from", o.framework || '/' || o.control_id AS "to",
              m.relationship, m.strength, m.rationale
         FROM control_mappings m JOIN controls f ON f.id = m.source_control JOIN controls o ON o.id = m.target_control
        WHERE m.source = $1 ORDER BY 1, 2, 3`,
      [source],
    );

  it('creates the same edges as the equivalent JSON import, and a re-import changes nothing', async () => {
    const json = await (
      await t.as('admin')
    )
      .post('/catalogs/mappings/import')
      .send({ source: 'json-e2e', mappings: ITEMS })
      .expect(200);
    const csv = await postCsv(CSV);
    expect(csv.status).toBe(200);
    expect(csv.body).toEqual({ ...json.body, source: 'csv-e2e' });
    expect(csv.body).toMatchObject({ mappings: 3, inserted: 3 });
    const edges = await edgesOf('csv-e2e');
    expect(edges).toEqual(await edgesOf('json-e2e'));
    expect(edges).toContainEqual(expect.objectContaining({ strength: 7, rationale: RATIONALE }));

    const again = await postCsv(CSV);
    expect(again.body).toEqual({ source: 'csv-e2e', mappings: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await edgesOf('csv-e2e')).toHaveLength(3);
  });

  it('reads LF line ends, a byte order mark, columns in any order and no optional columns', async () => {
    const text =
      '\uFEFFto_control,to_framework,relationship,from_control,from_framework\na-8-24,CSV-ISO,equivalent,art-32,CSV-GDPR\n';
    const res = await postCsv(text, '?source=csv-e2e-minimal', 'text/csv; charset=utf-8');
    expect(res.status).toBe(200);
    expect(await edgesOf('csv-e2e-minimal')).toEqual([
      { from: 'CSV-GDPR/art-32', to: 'CSV-ISO/a-8-24', relationship: 'equivalent', strength: null, rationale: null },
    ]);
  });

  it('names the line and column of every bad value, and writes nothing', async () => {
    const text = [
      HEADER,
      'CSV-GDPR,art-32,subset-of,CSV-ISO,a-8-24,7,',
      'CSV-GDPR,art-32,cousin-of,CSV-ISO,a-8-24,11,',
      'CSV-GDPR,art-99,equivalent,CSV-ISO,a-8-24,,',
      'not a code,art-32,equivalent,,a-8-24,,',
    ].join('\r\n');
    const res = await postCsv(text, '?source=csv-e2e-bad');
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/validation');
    expect(fields(res)).toEqual([
      'line 3, relationship',
      'line 3, strength',
      'line 5, from_framework',
      'line 5, to_framework',
    ]);
    expect(res.body.errors[3].messages).toEqual(['to_framework is required']);
    // Unknown controls are found once every value is well formed.
    const unknown = await postCsv(
      [HEADER, 'CSV-GDPR,art-32,equivalent,CSV-ISO,a-8-24,,', 'CSV-GDPR,art-99,equivalent,CSV-ISO,a-8-24,,'].join('\n'),
      '?source=csv-e2e-bad',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'line 3, from_control', messages: [expect.stringContaining('CSV-GDPR has no control art-99')] },
    ]);
    expect(await edgesOf('csv-e2e-bad')).toEqual([]);
  });

  it('names the line of a syntax error, counting lines inside quoted fields', async () => {
    const text = `${HEADER}\r\nCSV-GDPR,art-32,equivalent,CSV-ISO,a-8-24,,"two\r\nlines"\r\nCSV-GDPR,art-32,equivalent,CSV-ISO,a-8-24,,say "hi"\r\n`;
    const res = await postCsv(text);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'line 4', messages: [expect.stringMatching(/^character 48: a quote inside an unquoted field/)] },
    ]);
  });

  it('refuses a bad header, a file without rows and a missing source', async () => {
    const header = await postCsv('from_framework,from_control,relation,to_framework,to_control\r\n');
    expect(header.body.errors).toEqual([
      {
        field: 'line 1',
        messages: [expect.stringContaining('unknown column "relation"'), 'the header lacks relationship'],
      },
    ]);
    expect(fields(await postCsv(`${HEADER}\r\n`))).toEqual(['body']);
    expect(fields(await postCsv(''))).toEqual(['line 1']);
    const unnamed = await postCsv(CSV, '');
    expect(unnamed.status).toBe(400);
    expect(fields(unnamed)).toEqual(['source']);
    expect(fields(await postCsv(CSV, '?source='))).toEqual(['source']);
  });

  it('refuses ?source= beside a JSON body, which names its own', async () => {
    const res = await (
      await t.as('admin')
    )
      .post('/catalogs/mappings/import?source=elsewhere')
      .send({ source: 'json-e2e', mappings: ITEMS });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['source']);
  });

  it('checks a JSON body as before: a JSON string is not CSV, an empty body names the required fields', async () => {
    const admin = await t.as('admin');
    const text = await admin
      .post('/catalogs/mappings/import')
      .set('content-type', 'application/json')
      .send(JSON.stringify(CSV));
    expect(text.status).toBe(400);
    expect(fields(text)).toEqual(['body']);
    const empty = await admin.post('/catalogs/mappings/import').set('content-type', 'application/json');
    expect(empty.status).toBe(400);
    expect(fields(empty)).toEqual(['source', 'mappings']);
  });

  it('answers 400 for bytes that are not UTF-8, and 415 for another charset or another type', async () => {
    const latin1 = Buffer.from(`${HEADER}\r\nCSV-GDPR,art-32,equivalent,CSV-ISO,a-8-24,,caf\xe9\r\n`, 'latin1');
    const bad = await postCsv(latin1);
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('/problems/malformed-body');
    const charset = await postCsv(CSV, '?source=csv-e2e', 'text/csv; charset=iso-8859-1');
    expect(charset.status).toBe(415);
    expect(charset.body.type).toBe('/problems/unsupported-media-type');
    expect((await postCsv(CSV, '?source=csv-e2e', 'text/plain')).status).toBe(415);
  });

  it('still answers 415 for text/csv on every other route', async () => {
    const admin = await t.as('admin');
    const catalog = await admin.post('/catalogs/import?framework=CSV-X').set('content-type', 'text/csv').send(CSV);
    expect(catalog.status).toBe(415);
    expect(catalog.body.type).toBe('/problems/unsupported-media-type');
    const records = await admin.post('/compliance/records').set('content-type', 'text/csv').send('a,b\r\n');
    expect(records.status).toBe(415);
  });

  it('only an admin imports mappings, in CSV too', async () => {
    const res = await (
      await t.as('analyst')
    )
      .post('/catalogs/mappings/import?source=csv-e2e')
      .set('content-type', 'text/csv')
      .send(CSV);
    expect(res.status).toBe(403);
  });

  it('documents both media types of the request body', async () => {
    const document = (await (await t.as('admin')).get('/docs-json').expect(200)).body;
    const operation = document.paths['/catalogs/mappings/import'].post;
    expect(Object.keys(operation.requestBody.content).sort()).toEqual(['application/json', 'text/csv']);
    expect(operation.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ImportMappingsBody',
    });
    expect(operation.requestBody.content['text/csv']).toMatchObject({ schema: { type: 'string' } });
    expect(operation.requestBody.content['text/csv'].example).toMatch(/^from_framework,from_control,relationship,/);
    expect(operation).not.toHaveProperty('x-request-body-media-types');
    expect(operation.parameters).toContainEqual(expect.objectContaining({ name: 'source', in: 'query' }));
  });
});
