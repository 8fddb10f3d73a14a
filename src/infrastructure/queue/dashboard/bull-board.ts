import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import type {
  AppControllerRoute,
  AppViewRoute,
  BullBoardQueues,
  ControllerHandlerReturnType,
  IServerAdapter,
  UIConfig,
} from '@bull-board/api/typings/app';
import type { BullJobQueue } from '../bull-job-queue.js';
import { withinQueueTimeout } from '../queue-timeout.js';
import { type Asset, readAssets, renderPage } from './bull-board-ui.js';

/** Retrying every failed job of a queue is one Redis call per job: more time than an enqueue gets. */
const BOARD_TIMEOUT_MS = 5_000;

/** One of the board's API routes, matched to a request path. */
export interface BoardOperation {
  method: string;
  /** bull-board's route template, e.g. `/api/queues/:queueName/:jobId/retry`. */
  template: string;
  params: Record<string, string>;
}

export interface BoardAnswer {
  status: number;
  body: unknown;
}

interface BoardRoute {
  method: string;
  template: string;
  segments: string[];
  handler: AppControllerRoute['handler'];
}

/**
 * bull-board's API (`@bull-board/api`) with this class as its "server adapter": the board hands
 * over its route templates, handlers, page and UI files, and the app's own controller serves them,
 * so the global guards, audit, rate limit and problem documents apply as to every other route.
 * (`@bull-board/fastify` would register plain Fastify routes, which no Nest guard sees.)
 */
export class BullBoard implements IServerAdapter {
  private boardQueues: BullBoardQueues = new Map();
  private uiConfig: UIConfig = {};
  private routes: BoardRoute[] = [];
  private entry: AppViewRoute | undefined;
  private pages: string[][] = [];
  private viewsPath = '';
  private staticPath = '';
  private readonly onBoard = new Set<string>();
  private readonly addQueue: ReturnType<typeof createBullBoard>['addQueue'];
  private readonly assets: Map<string, Asset>;
  /** The page is the same for every request: rendered once. */
  readonly page: string;

  constructor(
    private readonly jobs: BullJobQueue,
    basePath: string,
    uiConfig: UIConfig,
  ) {
    ({ addQueue: this.addQueue } = createBullBoard({ queues: [], serverAdapter: this, options: { uiConfig } }));
    const { name, params } = (this.entry as AppViewRoute).handler({ basePath, uiConfig: this.uiConfig });
    this.page = renderPage(readFileSync(join(this.viewsPath, name), 'utf8'), params);
    this.assets = readAssets(this.staticPath);
  }

  /** `path` is a file under the UI's static/ folder, e.g. `js/main.4c9f061c66.js`. */
  asset(path: string): Asset | undefined {
    return this.assets.get(path);
  }

  /** Whether `path` (below the board's base) is one of the UI's pages, which the browser routes: all get `page`. */
  isPage(path: string): boolean {
    const segments = segmentsOf(path);
    return this.pages.some((page) => page.length === segments.length && paramsOf(page, segments) !== undefined);
  }

  /** The API route for `path` (below the board's base, raw), preferring literal segments as routers do. */
  match(method: string, path: string): BoardOperation | undefined {
    const segments = segmentsOf(path);
    let best: { route: BoardRoute; params: Record<string, string>; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params = paramsOf(route.segments, segments);
      const literals = route.segments.filter((segment) => !segment.startsWith(':')).length;
      if (params && (!best || literals > best.literals)) best = { route, params, literals };
    }
    return best && { method, template: best.route.template, params: best.params };
  }

  /** Runs a matched route; rejects with JobQueueUnavailableError when Redis does not answer in time. */
  async run(operation: BoardOperation, query: Record<string, unknown>, body: unknown): Promise<BoardAnswer> {
    this.showNewQueues();
    const route = this.routes.find((r) => r.method === operation.method && r.template === operation.template);
    if (!route) throw new Error(`no board route ${operation.method} ${operation.template}`);
    const answer: ControllerHandlerReturnType = await withinQueueTimeout(
      Promise.resolve(
        route.handler({
          queues: this.boardQueues,
          uiConfig: this.uiConfig,
          params: operation.params,
          query,
          body: (body ?? {}) as Record<string, unknown>,
          headers: {},
        }),
      ),
      'job queue unavailable: the dashboard got no answer from Redis',
      BOARD_TIMEOUT_MS,
    );
    return { status: answer.status ?? 200, body: answer.body };
  }

  /** Queues are created on first use, some after boot: each request puts the new ones on the board. */
  private showNewQueues(): void {
    for (const queue of this.jobs.bullQueues) {
      if (this.onBoard.has(queue.name)) continue;
      this.addQueue(new BullAdapter(queue));
      this.onBoard.add(queue.name);
    }
  }

  // IServerAdapter: createBullBoard hands its parts over through these, once, in the constructor.
  setQueues(queues: BullBoardQueues): this {
    this.boardQueues = queues;
    return this;
  }

  setViewsPath(path: string): this {
    this.viewsPath = path;
    return this;
  }

  setStaticPath(_route: string, path: string): this {
    this.staticPath = path;
    return this;
  }

  setEntryRoute(route: AppViewRoute): this {
    this.entry = route;
    this.pages = [route.route].flat().map(segmentsOf);
    return this;
  }

  /** Unused: a handler that throws reaches the app's problem filter instead. */
  setErrorHandler(): this {
    return this;
  }

  setApiRoutes(routes: AppControllerRoute[]): this {
    this.routes = routes.flatMap((route) =>
      [route.method].flat().flatMap((method) =>
        [route.route].flat().map((template) => ({
          method: method.toUpperCase(),
          template,
          segments: segmentsOf(template),
          handler: route.handler,
        })),
      ),
    );
    return this;
  }

  setUIConfig(config: UIConfig): this {
    this.uiConfig = config;
    return this;
  }
}

/** `/api/queues/x` → `['api', 'queues', 'x']`; an empty segment stays, so `queues//pause` is no `queues/pause`. */
function segmentsOf(path: string): string[] {
  const bare = path.startsWith('/') ? path.slice(1) : path;
  return bare === '' ? [] : bare.split('/');
}

/** The template's `:name` segments decoded, or undefined when a literal differs, a value is empty or not valid %-encoding. */
function paramsOf(template: string[], path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, segment] of template.entries()) {
    if (!segment.startsWith(':')) {
      if (segment !== path[i]) return undefined;
      continue;
    }
    if (!path[i]) return undefined;
    try {
      params[segment.slice(1)] = decodeURIComponent(path[i]);
    } catch {
      return undefined;
    }
  }
  return params;
}
