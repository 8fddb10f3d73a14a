/** Collects positional parameters while a statement is assembled. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Anything that runs SQL: a DataSource, an EntityManager, the current transaction. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');
