/** What the dashboard may change, by bull-board route (`METHOD template`), and the audit action each records. */
interface DashboardAction {
  action: string;
  /** For routes with `:queueStatus`: the statuses allowed. */
  statuses?: string[];
}

/**
 * The operational actions an admin takes on a stuck queue: pause and resume, retry failed jobs,
 * run delayed ones now, clear out finished ones. Every other write bull-board offers is refused
 * (403): adding or editing jobs (their data is the input of our handlers, validated nowhere else),
 * emptying or obliterating a queue, cleaning waiting or delayed jobs, and touching schedules, rate
 * limits or concurrency (the repeatable jobs are re-registered only at boot).
 */
export const DASHBOARD_ACTIONS: Readonly<Record<string, DashboardAction>> = {
  'PUT /api/queues/pause': { action: 'queue.all.paused' },
  'PUT /api/queues/resume': { action: 'queue.all.resumed' },
  'PUT /api/queues/:queueName/pause': { action: 'queue.paused' },
  'PUT /api/queues/:queueName/resume': { action: 'queue.resumed' },
  'PUT /api/queues/:queueName/promote': { action: 'queue.jobs.promoted' },
  'PUT /api/queues/:queueName/retry/:queueStatus': { action: 'queue.jobs.retried', statuses: ['failed'] },
  'PUT /api/queues/:queueName/clean/:queueStatus': { action: 'queue.jobs.cleaned', statuses: ['failed', 'completed'] },
  'PUT /api/queues/:queueName/:jobId/retry': { action: 'queue.job.retried' },
  'PUT /api/queues/:queueName/:jobId/promote': { action: 'queue.job.promoted' },
};
