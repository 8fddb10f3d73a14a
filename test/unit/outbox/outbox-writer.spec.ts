import type { EntityManager } from 'typeorm';
import type { CommitHook, TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import { OutboxConsumerRegistry } from '../../../src/infrastructure/outbox/outbox-consumer';
import { OUTBOX_DRAIN_JOB, OutboxWriter } from '../../../src/infrastructure/outbox/outbox-writer';
import type { JobQueue } from '../../../src/infrastructure/queue/job-queue';

/** One open transaction whose commit hooks run when `commit()` is called. */
function aTransaction() {
  const hooks: CommitHook[] = [];
  const manager = { query: jest.fn() } as unknown as EntityManager;
  const transactions = {
    active: true,
    manager,
    afterCommit: async (hook: CommitHook) => void hooks.push(hook),
  } as unknown as TransactionContext;
  return { transactions, commit: async () => Promise.all(hooks.map((hook) => hook())) };
}

describe('OutboxWriter', () => {
  const queue = { add: jest.fn(async () => undefined) } as unknown as JobQueue;
  const registry = new OutboxConsumerRegistry();
  registry.register({ name: 'search', types: ['record.updated', 'audit.event.recorded'], handle: async () => {} });
  beforeEach(() => jest.mocked(queue.add).mockClear());

  it('asks the relay to drain once per transaction, however many appends it made', async () => {
    const { transactions, commit } = aTransaction();
    const writer = new OutboxWriter(transactions, registry, queue);
    await writer.append('record.updated', 'a', {});
    await writer.append('audit.event.recorded', 'b', {});
    await commit();
    expect(queue.add).toHaveBeenCalledTimes(1);
    expect(queue.add).toHaveBeenCalledWith(OUTBOX_DRAIN_JOB, {}, expect.objectContaining({ jobId: 'drain' }));
  });

  it('does not ask for a drain when no consumer takes the event type', async () => {
    const { transactions, commit } = aTransaction();
    await new OutboxWriter(transactions, registry, queue).append('user.updated', 'c', {});
    await commit();
    expect(queue.add).not.toHaveBeenCalled();
    expect(jest.mocked(transactions.manager.query).mock.calls[0][1]).toEqual(['user.updated', 'c', '{}', 1, []]);
  });

  it('writes several events as one batch row with no aggregate id, whose events ask one drain', async () => {
    const { transactions, commit } = aTransaction();
    const entries = [
      { aggregateId: 'a', payload: { n: 1 } },
      { aggregateId: 'b', payload: { n: 2 } },
    ];
    await new OutboxWriter(transactions, registry, queue).appendMany('record.updated', entries);
    await commit();
    expect(jest.mocked(transactions.manager.query).mock.calls[0][1]).toEqual([
      'record.updated',
      null,
      JSON.stringify(entries),
      2,
      ['search'],
    ]);
    expect(queue.add).toHaveBeenCalledTimes(1);
  });
});
