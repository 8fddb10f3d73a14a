import { Client } from 'pg';
import type { QueryObserver } from './query-observer.js';

type Query = (this: Client, ...args: unknown[]) => unknown;

/**
 * The pg client class the pool is given (`extra.Client`): TypeORM sends every statement through
 * `client.query(text, parameters)`, so timing that call covers the app's SQL wherever it is
 * written. Only the promise form is observed; streams (COPY, cursors) and callbacks pass as they are.
 */
export function observedClient(observer: QueryObserver): typeof Client {
  const query = Client.prototype.query as Query;
  class ObservedClient extends Client {}
  Object.defineProperty(ObservedClient.prototype, 'query', {
    value: function (this: Client, ...args: unknown[]) {
      const [config] = args;
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      const observable =
        typeof text === 'string' &&
        typeof (config as { submit?: unknown }).submit !== 'function' &&
        !args.some((arg) => typeof arg === 'function') &&
        typeof (config as { callback?: unknown }).callback !== 'function';
      if (!observable) return query.apply(this, args);
      const done = observer.start(text, { host: this.host, port: this.port, database: this.database });
      return (query.apply(this, args) as Promise<unknown>).then(
        (result) => {
          done();
          return result;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      );
    },
  });
  return ObservedClient;
}
