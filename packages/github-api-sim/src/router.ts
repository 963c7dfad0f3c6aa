/*
 * Route templates as GitHub's docs spell them (`/repos/{owner}/{repo}/git/trees/{tree_sha}`), which also name the
 * request counters. `{name+}` captures the rest of the path (refs and paths contain slashes), `{name*}` may be empty.
 */
import type { Identity, Permission, RepoHandle, SimState } from './state';

export interface HandlerContext {
  sim: SimState;
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  identity: Identity;
  headers: Record<string, string | string[] | undefined>;
  /** Set for `/repos/{owner}/{repo}/...` routes, after access checks. */
  repo: RepoHandle;
  /** The caller's effective permission on `repo`. */
  permission: Permission;
}

export interface HandlerResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  /** Template with GitHub's parameter names. */
  template: string;
  /** Minimum permission on the repository for `/repos/{owner}/{repo}` routes; GitHub's fine-grained permission name for the 403 header. */
  access?: { level: Permission; scope: string };
  handler: (ctx: HandlerContext) => Promise<HandlerResult>;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
  /** Counter key: the template without the capture markers. */
  key: string;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const pattern = route.template.replace(
        /\/\{(\w+)([+*]?)\}/g,
        (_m, name: string, kind: string) => {
          names.push(name);
          if (kind === '+') return '/(.+)';
          if (kind === '*') return '(?:/(.*))?';
          return '/([^/]+)';
        },
      );
      this.routes.push({
        ...route,
        regex: new RegExp(`^${pattern}/?$`),
        names,
        key: `${route.method} ${route.template.replace(
          /\{(\w+)[+*]\}/g,
          '{$1}',
        )}`,
      });
    }
    return this;
  }

  /** The route for `method path`; HEAD is served by the GET route. `methodMismatch` when only the method differs. */
  match(
    method: string,
    path: string,
  ):
    | { route: CompiledRoute; params: Record<string, string> }
    | { methodMismatch: boolean } {
    const lookup = method === 'HEAD' ? 'GET' : method;
    let methodMismatch = false;
    for (const route of this.routes) {
      const match = route.regex.exec(path);
      if (!match) continue;
      if (route.method !== lookup) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] =
          match[i + 1] === undefined ? '' : decodeURIComponent(match[i + 1]);
      });
      return { route, params };
    }
    return { methodMismatch };
  }
}

export function counterKey(method: string, route: { key: string }): string {
  return method === 'HEAD' ? route.key.replace(/^GET /, 'HEAD ') : route.key;
}
