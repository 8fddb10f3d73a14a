import { AsyncLocalStorage } from 'node:async_hooks';

/** The `repository` label of statements issued outside every `@QueryOwner()` class. */
export const UNOWNED = 'other';

const owner = new AsyncLocalStorage<string>();

/**
 * Class decorator: statements sent while one of the class's methods runs are labelled with the
 * class's name in db_query_duration_seconds (and on their spans). The label set is therefore the
 * set of decorated classes, fixed by the code, never by data. Methods returning an async
 * iterator are labelled for what they send before they return, not while they are iterated.
 */
export function QueryOwner(): ClassDecorator {
  return (target) => {
    const name = target.name;
    const prototype = target.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if (key === 'constructor' || typeof descriptor?.value !== 'function') continue;
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(prototype, key, {
        ...descriptor,
        value: function (this: unknown, ...args: unknown[]) {
          return owner.run(name, () => method.apply(this, args));
        },
      });
    }
  };
}

/** The class whose method is sending the current statement, or UNOWNED. */
export function currentQueryOwner(): string {
  return owner.getStore() ?? UNOWNED;
}
