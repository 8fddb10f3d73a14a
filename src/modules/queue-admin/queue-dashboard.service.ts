import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import { inputDefects, validationProblem } from '../../common/validation.js';
import type { Asset } from '../../infrastructure/queue/dashboard/bull-board-ui.js';
import type { BoardAnswer, BoardOperation, BullBoard } from '../../infrastructure/queue/dashboard/bull-board.js';
import { JobQueueUnavailableError } from '../../infrastructure/queue/job-queue.js';
import { AuditScope } from '../audit/audit-scope.js';
import { DASHBOARD_ACTIONS } from './dashboard-actions.js';

/** The board under Bull; null with the in-process runner, which has no dashboard. */
export const BULL_BOARD = Symbol('BULL_BOARD');

/** bull-board's own error statuses, as this app's problem types. */
const BOARD_PROBLEMS: Record<number, string> = {
  400: 'bad-request',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
};

/**
 * The queue dashboard (bull-board) behind the app's access rules: reads pass through, writes only
 * when DASHBOARD_ACTIONS lists them, each described to the audit interceptor, which records it.
 */
@Injectable()
export class QueueDashboardService {
  constructor(
    @Inject(BULL_BOARD) private readonly board: BullBoard | null,
    private readonly audit: AuditScope,
  ) {}

  /** The page for `path` (below the board, e.g. `queue/outbox.drain`): the UI routes in the browser. */
  page(path = ''): string {
    const board = this.available();
    if (!board.isPage(path)) throw notFound();
    return board.page;
  }

  asset(path: string): Asset {
    const asset = this.available().asset(path);
    if (!asset) throw notFound();
    return asset;
  }

  read(path: string, query: Record<string, unknown>): Promise<BoardAnswer> {
    const board = this.available();
    return this.run(board, this.operation(board, 'GET', path), query, undefined);
  }

  change(method: string, path: string, query: Record<string, unknown>, body: unknown): Promise<BoardAnswer> {
    const board = this.available();
    const operation = this.operation(board, method, path);
    const allowed = DASHBOARD_ACTIONS[`${method} ${operation.template}`];
    const status = operation.params.queueStatus;
    if (!allowed || (status !== undefined && !allowed.statuses?.includes(status))) {
      throw new ProblemException(403, 'forbidden', 'The dashboard does not offer this change (docs/operations.md).');
    }
    const { queueName, jobId } = operation.params;
    this.audit.describe({
      action: allowed.action,
      resourceType: 'job-queue',
      resourceId: queueName,
      details: { dashboardRoute: operation.template, ...(jobId ? { jobId } : {}), ...(status ? { status } : {}) },
    });
    return this.run(board, operation, query, body);
  }

  private async run(
    board: BullBoard,
    operation: BoardOperation,
    query: Record<string, unknown>,
    body: unknown,
  ): Promise<BoardAnswer> {
    // What the global pipe checks before any DTO: prototype keys, NUL or lone surrogates, a body that is no object.
    const defects = [...inputDefects(query, 'query'), ...inputDefects(body, 'body')];
    if (defects.length) throw validationProblem(defects);
    let answer: BoardAnswer;
    try {
      answer = await board.run(operation, query, body);
    } catch (error) {
      if (error instanceof JobQueueUnavailableError) {
        throw new ProblemException(503, 'dependency-unavailable', 'Redis did not answer in time; retry shortly.');
      }
      throw error;
    }
    if (answer.status < 400) return answer;
    const type = BOARD_PROBLEMS[answer.status];
    // Anything else (409, 500) is a case DASHBOARD_ACTIONS should have refused, or a bug.
    if (!type) throw new Error(`bull-board answered ${answer.status} to ${operation.method} ${operation.template}`);
    throw new ProblemException(answer.status, type, `The dashboard refused this: ${errorKeyOf(answer.body)}.`);
  }

  private operation(board: BullBoard, method: string, path: string): BoardOperation {
    const operation = board.match(method, `/${path}`);
    if (!operation) throw notFound();
    return operation;
  }

  private available(): BullBoard {
    if (this.board) return this.board;
    throw new ProblemException(
      404,
      'not-found',
      'The queue dashboard needs Redis (Bull); GET /admin/queues/summary lists the in-process jobs.',
    );
  }
}

const notFound = () => new ProblemException(404, 'not-found', 'The dashboard has no such page, file or route.');

/** bull-board's translation key (`ERRORS.JOB_NOT_FOUND`): never an echo of the request. */
function errorKeyOf(body: unknown): string {
  const key = (body as { error?: { key?: unknown } } | null)?.error?.key;
  return typeof key === 'string' && /^[A-Z_.]{1,80}$/.test(key) ? key : 'ERRORS.UNKNOWN';
}
