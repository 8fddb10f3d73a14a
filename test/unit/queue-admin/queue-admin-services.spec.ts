import { ProblemException } from '../../../src/common/problem';
import type { BoardAnswer, BoardOperation, BullBoard } from '../../../src/infrastructure/queue/dashboard/bull-board';
import { JobQueueUnavailableError, type JobQueue } from '../../../src/infrastructure/queue/job-queue';
import { AuditScope } from '../../../src/modules/audit/audit-scope';
import { QueueDashboardService } from '../../../src/modules/queue-admin/queue-dashboard.service';
import { QueueSummaryService } from '../../../src/modules/queue-admin/queue-summary.service';

const unavailable = () => Promise.reject(new JobQueueUnavailableError('job queue unavailable'));

/** A board whose one route is `PUT /api/queues/:queueName/pause`, answering `run`. */
function boardAnswering(run: () => Promise<BoardAnswer>): BullBoard {
  const operation: BoardOperation = {
    method: 'PUT',
    template: '/api/queues/:queueName/pause',
    params: { queueName: 'outbox.drain' },
  };
  return { match: () => operation, run } as unknown as BullBoard;
}

async function problemOf(work: Promise<unknown>): Promise<{ status: number; type: string }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemException);
  return { status: (error as ProblemException).getStatus(), type: (error as ProblemException).problemType };
}

describe('queue admin services', () => {
  it('answers a summary Redis cannot give in time with 503 dependency-unavailable', async () => {
    const queue = { kind: 'bull', snapshot: unavailable } as unknown as JobQueue;
    expect(await problemOf(new QueueSummaryService(queue).summary())).toEqual({
      status: 503,
      type: 'dependency-unavailable',
    });
  });

  it('answers a dashboard call Redis cannot answer in time with 503 dependency-unavailable', async () => {
    const dashboard = new QueueDashboardService(boardAnswering(unavailable), new AuditScope());
    expect(await problemOf(dashboard.change('PUT', 'api/queues/outbox.drain/pause', {}, undefined))).toEqual({
      status: 503,
      type: 'dependency-unavailable',
    });
  });

  it("turns bull-board's own error answers into problems naming only its error key", async () => {
    const dashboard = new QueueDashboardService(
      boardAnswering(async () => ({ status: 404, body: { error: { key: 'ERRORS.QUEUE_NOT_FOUND' }, echo: '<x>' } })),
      new AuditScope(),
    );
    const error = await dashboard.change('PUT', 'api/queues/outbox.drain/pause', {}, undefined).catch((e: Error) => e);
    expect(error).toMatchObject({
      problemType: 'not-found',
      message: 'The dashboard refused this: ERRORS.QUEUE_NOT_FOUND.',
    });
  });

  it('treats an error status bull-board should never give here as a bug (500), not a client error', async () => {
    const dashboard = new QueueDashboardService(
      boardAnswering(async () => ({ status: 409, body: { error: { key: 'ERRORS.JOB_IS_ACTIVE' } } })),
      new AuditScope(),
    );
    await expect(dashboard.change('PUT', 'api/queues/outbox.drain/pause', {}, undefined)).rejects.not.toBeInstanceOf(
      ProblemException,
    );
  });
});
