/** Sends one prepared statement; resolves when Postgres has run it. */
export type SendStatement = () => Promise<unknown>;
/** One statement of a transaction: does its Node CPU work (encoding, encrypting) and returns its sender. */
export type PipelineStep = () => SendStatement;

/**
 * Runs the statements of one transaction in order, preparing each while Postgres still runs the
 * one before, so neither side sits idle while the other works. Only one statement is on the
 * connection at a time: pg deprecates queueing queries on a client. After a failure nothing more
 * is prepared or sent and the first error is rethrown; the caller's transaction rolls back whole.
 */
export async function pipelined(steps: Iterable<PipelineStep>): Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  try {
    for (const prepare of steps) {
      const send = prepare();
      await running;
      if (failure) break;
      running = send().catch((error: unknown) => void (failure ??= { error }));
      // Lets the statement just sent go out on the socket before the next one's CPU work starts.
      await new Promise(setImmediate);
      if (failure) break;
    }
  } finally {
    await running;
  }
  if (failure) throw failure.error;
}
