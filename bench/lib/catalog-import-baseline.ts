import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type OscalControl = { id: string; title: string; controls?: OscalControl[]; links?: { rel?: string; href?: string }[] };
type OscalCatalog = { catalog: { groups?: { id: string; controls?: OscalControl[] }[]; controls?: OscalControl[] } };

/** COPY text format: a backslash, tab or line break inside a value is escaped. */
const copyValue = (value: string | null) =>
  value === null
    ? '\\N'
    : value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

/** One row per control and enhancement, and one per `related` link to `#id`, as COPY text. */
function flatten(document: OscalCatalog): { controls: string; links: string; count: number } {
  const controls: string[] = [];
  const links: string[] = [];
  const visit = (control: OscalControl, group: string | null, parent: string | null) => {
    const { id, title, controls: children, ...own } = control;
    controls.push([id, parent, group, title, JSON.stringify(own)].map(copyValue).join('\t'));
    for (const link of control.links ?? []) {
      if (link.rel === 'related' && link.href?.startsWith('#'))
        links.push(`${copyValue(id)}\t${copyValue(link.href.slice(1))}`);
    }
    for (const child of children ?? []) visit(child, group, id);
  };
  for (const group of document.catalog.groups ?? [])
    for (const control of group.controls ?? []) visit(control, group.id, null);
  for (const control of document.catalog.controls ?? []) visit(control, null, null);
  const text = (rows: string[]) => (rows.length ? `${rows.join('\n')}\n` : '');
  return { controls: text(controls), links: text(links), count: controls.length };
}

async function copy(client: Client, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

/** Empty tables with no index, key or constraint, for `parseAndCopy`. */
export async function createBareCatalogTables(client: Client): Promise<void> {
  await client.query(
    `CREATE TABLE bare_controls (control_id text, parent text, group_id text, title text, oscal jsonb)`,
  );
  await client.query(`CREATE TABLE bare_links (source text, target text)`);
}

/**
 * The least an import must do, timed: JSON.parse the file's text, flatten its controls (and their
 * `related` links) into rows, and COPY them into the bare tables (emptied first, untimed).
 */
export async function parseAndCopy(client: Client, text: string): Promise<{ ms: number; controls: number }> {
  await client.query('TRUNCATE bare_controls, bare_links');
  const started = performance.now();
  const rows = flatten(JSON.parse(text) as OscalCatalog);
  await copy(client, 'COPY bare_controls (control_id, parent, group_id, title, oscal) FROM STDIN', rows.controls);
  await copy(client, 'COPY bare_links (source, target) FROM STDIN', rows.links);
  return { ms: performance.now() - started, controls: rows.count };
}
