/**
 * A statement whose data leaves Node only once Postgres answers its start, as a COPY's rows wait
 * for CopyInResponse: `sent` when the data is on the socket, `done` when Postgres has run it.
 */
export interface Sending {
  sent: Promise<void>;
  done: Promise<unknown>;
}
/** Sends one prepared statement; resolves when Postgres has run it (or gives its `Sending`). */
export type SendStatement = () => Promise<unknown> | Sending;
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
      const sending = send();
      const { sent, done } = 'sent' in sending ? sending : { sent: undefined, done: sending };
      running = done.catch((error: unknown) => void (failure ??= { error }));
      // The statement just sent goes out on the socket before the next one's CPU work starts
      // (a COPY's rows once Postgres asked for them: waiting for that behind 30 ms of encoding
      // left Postgres idle as long).
      if (sent) await Promise.race([sent, running]);
      await new Promise(setImmediate);
      if (failure) break;
    }
  } finally {
    await running;
  }
  if (failure) throw failure.error;
}
