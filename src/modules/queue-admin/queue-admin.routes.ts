/** Where the dashboard and the summary live; bull-board's page needs the base path to build its links. */
export const QUEUE_ADMIN_PATH = 'admin/queues';
