/** One statement of a transaction: prepares it (the Node CPU work) and sends it. */
export type PipelineStep = () => Promise<unknown>;

/**
 * Sends independent statements of one transaction back to back, preparing each while Postgres
 * runs the earlier ones (the connection queues them), instead of leaving one side idle while the
 * other works. Once a statement has failed no further step is prepared (statements already queued
 * fail as the transaction is aborted); the first error is rethrown when all sent have settled, and
 * the transaction rolls back as a whole.
 */
export async function pipelined(steps: Iterable<PipelineStep>): Promise<void> {
  const sent: Promise<unknown>[] = [];
  let failure: { error: unknown } | undefined;
  for (const step of steps) {
    if (failure) break;
    sent.push(step().catch((error: unknown) => void (failure ??= { error })));
    // Lets this statement go out, and an earlier one's result come in, before the next is prepared.
    await new Promise(setImmediate);
  }
  await Promise.all(sent);
  if (failure) throw failure.error;
}
