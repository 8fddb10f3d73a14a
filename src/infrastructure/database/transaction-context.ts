import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type CommitHook = () => void | Promise<void>;

/**
 * One transaction per request. `run` opens a transaction, or joins the one already open in this
 * async context; `manager` is the current transaction's EntityManager (or the plain one outside a
 * transaction). Repositories, the outbox and the audit trail all write through `manager`, so a
 * change, its outbox rows and its audit row commit or roll back together.
 */
@Injectable()
export class TransactionContext {
  private readonly current = new AsyncLocalStorage<EntityManager>();
  private readonly commitHooks = new AsyncLocalStorage<CommitHook[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.current.getStore() ?? this.dataSource.manager;
  }

  get active(): boolean {
    return this.current.getStore() !== undefined;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open);
    return this.runDetached(work);
  }

  /**
   * Always a transaction of its own, even inside another one, whose fate it does not share: for
   * work started from a request that must commit whatever the request does (group-committed audit).
   */
  async runDetached<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const hooks: CommitHook[] = [];
    const result = await this.commitHooks.run(hooks, () =>
      this.dataSource.transaction((manager) => this.current.run(manager, () => work(manager))),
    );
    for (const hook of hooks) await hook();
    return result;
  }

  /**
   * Runs `hook` once the current transaction has committed (at once outside a transaction), before
   * `run` returns, so a request's response waits for it; never on rollback. Hooks must not throw.
   */
  async afterCommit(hook: CommitHook): Promise<void> {
    const hooks = this.active ? this.commitHooks.getStore() : undefined;
    if (hooks) hooks.push(hook);
    else await hook();
  }
}
