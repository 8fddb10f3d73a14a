import type {
  CallHandler,
  CanActivate,
  ExecutionContext,
  INestApplication,
  NestInterceptor,
  Type,
} from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { PUBLIC_KEY } from './auth/roles.js';

/** What the pipeline of a route is decided from, once at startup. */
export interface RouteFacts {
  /** `GET`, `POST`, … (`ALL` for a route taking every method). */
  method: string;
  /** Every full path the handler is mounted at (`/health/live`). */
  paths: string[];
  /** `@Public()` on the handler or its controller. */
  isPublic: boolean;
  handler: (...args: never[]) => unknown;
  controller: Type;
}

/** A guard or interceptor that says, per route and at startup, whether it has work there. */
export interface RouteScoped {
  appliesTo(route: RouteFacts): boolean;
}

export interface RoutePipeline {
  /** In the order they run, as global guards would. */
  guards: Type<CanActivate & RouteScoped>[];
  /** Outermost first, as global interceptors would. */
  interceptors: Type<NestInterceptor & RouteScoped>[];
}

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** GET, HEAD and OPTIONS change nothing; every other method (and `ALL`) may. */
export const isReadOnly = (route: RouteFacts): boolean => isReadMethod(route.method);

/** The same, of one request's method. */
export const isReadMethod = (method: string): boolean => READ_ONLY.has(method);

type Guard = CanActivate & RouteScoped;
type Interceptor = NestInterceptor & RouteScoped;
type Enhancer = Guard | Interceptor;

/** Each app's own guard and interceptor instances, by its Fastify instance (tests run several apps). */
const instancesByServer = new WeakMap<object, Map<Type, Enhancer>>();

function instanceFor<T extends Enhancer>(context: ExecutionContext, type: Type<T>): T {
  const server = context.switchToHttp().getRequest<FastifyRequest>().server;
  const instance = instancesByServer.get(server)?.get(type);
  if (!instance) throw new Error(`${type.name} is not set up for this app (createApp sets it up)`);
  return instance as T;
}

/**
 * What goes into a handler's metadata in place of one app's instance: every app in the process
 * shares the handler, so it hands each request to the instance of the app serving it.
 */
class GuardSlot implements CanActivate {
  constructor(private readonly type: Type<Guard>) {}

  canActivate(context: ExecutionContext) {
    return instanceFor(context, this.type).canActivate(context);
  }
}

class InterceptorSlot implements NestInterceptor {
  constructor(private readonly type: Type<Interceptor>) {}

  intercept(context: ExecutionContext, next: CallHandler) {
    return instanceFor(context, this.type).intercept(context, next);
  }
}

const slots = new Map<Type, GuardSlot | InterceptorSlot>();
const slotOf = (type: Type, make: () => GuardSlot | InterceptorSlot) =>
  slots.get(type) ?? slots.set(type, make()).get(type)!;

/** Per handler: the guards and interceptors it declares itself, and the types some app put ahead of them. */
const planned = new WeakMap<object, { declared: Map<string, unknown[]>; types: Set<Type> }>();

/**
 * Puts each guard and interceptor only on the routes it has work on, in place of registering
 * them globally: Nest then runs no guard (no ExecutionContext, no promise) and no interceptor
 * (no rxjs chain) on a route where none applies, such as the probes. Each route gets them as its
 * own, ahead of any it declares, so they run first as global ones would; a controller-level guard
 * or interceptor would run before them, so one is refused here. Must run before `app.init()`,
 * which builds the route handlers from this metadata. Where apps of one process (tests) disagree
 * on a route, it gets what any of them needs, and the others' instances pass through there.
 */
export function applyRoutePipeline(app: INestApplication, pipeline: RoutePipeline): void {
  const instances = new Map<Type, Enhancer>();
  for (const type of [...pipeline.guards, ...pipeline.interceptors])
    instances.set(type, app.get(type, { strict: false }));
  instancesByServer.set(app.getHttpAdapter().getInstance() as object, instances);
  const plan = (key: string, types: Type<Enhancer>[], route: RouteFacts, slot: (type: Type) => unknown) => {
    let state = planned.get(route.handler);
    if (!state) planned.set(route.handler, (state = { declared: new Map(), types: new Set() }));
    if (!state.declared.has(key)) state.declared.set(key, Reflect.getMetadata(key, route.handler) ?? []);
    for (const type of types) if ((instances.get(type) as Enhancer).appliesTo(route)) state.types.add(type);
    const applied = types.filter((type) => state.types.has(type)).map(slot);
    Reflect.defineMetadata(key, [...applied, ...state.declared.get(key)!], route.handler);
  };
  for (const route of routesOf(app)) {
    plan(GUARDS_METADATA, pipeline.guards, route, (type) => slotOf(type, () => new GuardSlot(type)));
    plan(INTERCEPTORS_METADATA, pipeline.interceptors, route, (type) => slotOf(type, () => new InterceptorSlot(type)));
  }
}

function routesOf(app: INestApplication): RouteFacts[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const controllers = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) controllers.add(wrapper.metatype as Type);
  }
  const routes: RouteFacts[] = [];
  for (const controller of controllers) {
    if (Reflect.getMetadata(GUARDS_METADATA, controller) || Reflect.getMetadata(INTERCEPTORS_METADATA, controller)) {
      throw new Error(`${controller.name}: controller-level guards and interceptors would run before the app's own`);
    }
    const prefixes = pathsOf(controller);
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, RouteFacts['handler']>)[name];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const paths = prefixes.flatMap((prefix) => pathsOf(handler).map((path) => joinPath(prefix, path)));
      const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, controller]) === true;
      routes.push({ method: RequestMethod[method], paths, isPublic, handler, controller });
    }
  }
  return routes;
}

function pathsOf(target: object): string[] {
  const path = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return Array.isArray(path) ? path : [path ?? ''];
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}
