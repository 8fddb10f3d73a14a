import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { PUBLIC_KEY, type Role, ROLES_KEY, SESSION_ONLY_KEY } from '../auth/roles.js';

/** Who may call one route, read from the same metadata the session guard reads. */
export interface RouteAccess {
  /** Lower-case HTTP method, as OpenAPI path items name them. */
  method: string;
  /** OpenAPI path template, e.g. `/compliance/records/{id}`. */
  path: string;
  isPublic: boolean;
  /** Empty: any authenticated role. */
  roles: Role[];
  /** API keys are refused (403). */
  sessionOnly: boolean;
  /** The controller method that serves it. */
  handler: (...args: unknown[]) => unknown;
}

const asList = (value: string | string[] | undefined) => (Array.isArray(value) ? value : [value ?? '']);

/** Nest's `a/:id` → OpenAPI's `/a/{id}`. */
function openApiPath(...segments: string[]): string {
  const joined = `/${segments.filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Every route of every controller in the application, with its access rule. */
export function routeAccess(modules: ModulesContainer): RouteAccess[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: RouteAccess[] = [];
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const prototype = metatype.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const targets: (typeof handler | typeof metatype)[] = [handler, metatype];
        const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true;
        const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
        const sessionOnly = reflector.getAllAndOverride<boolean>(SESSION_ONLY_KEY, targets) === true;
        for (const base of asList(Reflect.getMetadata(PATH_METADATA, metatype))) {
          for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            const path = openApiPath(base, sub);
            routes.push({ method: RequestMethod[method].toLowerCase(), path, isPublic, roles, sessionOnly, handler });
          }
        }
      }
    }
  }
  return routes;
}
