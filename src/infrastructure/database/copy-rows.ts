import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { Sending } from './pipelined.js';

export type CopyValue = string | number | null;

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field in COPY's text format: NULL as `\N`, and the four characters it treats specially escaped. */
function field(value: CopyValue): string {
  if (value === null) return '\\N';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (char) => ESCAPES[char]) : text;
}

/** Rows in COPY's text format, one line each. */
export function encodeCopyRows(rows: CopyValue[][]): string {
  return rows.map((row) => row.map(field).join('\t')).join('\n') + '\n';
}

/**
 * `COPY table (columns) FROM STDIN` of rows encoded by `encodeCopyRows`, on the connection of
 * `manager`'s transaction, so they commit or roll back with it. `table` and `columns` are code,
 * never input.
 */
export async function copyRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  encoded: string,
): Promise<void> {
  await sendCopyRows(manager, table, columns, encoded).done;
}

/**
 * `copyRows` for `pipelined`: `sent` once the rows are on the socket. pg-copy-streams holds them
 * until Postgres answers the COPY statement (CopyInResponse), which Node only reads when its event
 * loop is free, so the caller waits for `sent` before its next synchronous work.
 */
export function sendCopyRows(
  manager: EntityManager,
  table: string,
  columns: readonly string[],
  encoded: string,
): Sending {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    return {
      sent: Promise.resolve(),
      done: Promise.reject(new Error(`COPY into ${table} must run inside a transaction`)),
    };
  }
  let markSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const done = (async () => {
    const client = (await runner.connect()) as Client;
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      // The write callback runs once pg-copy-streams has handed the rows to the socket.
      stream.write(encoded, () => markSent());
      stream.end();
    });
  })();
  return { sent, done };
}
