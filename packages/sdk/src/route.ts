/**
 * How the SDK describes one HTTP route of the Coffer API: method, path template, and the
 * @coffer/protocol zod schemas of its query, body and response — the same schemas the server
 * validates with, so request types are `z.input` of them and responses are parsed with them
 * (CONVENTIONS.md habit 5: types come from schemas, never written twice). Path parameters are
 * read from the template itself (`/v1/orgs/:orgId` needs `{ orgId }`), at the type level too.
 */
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a route does to the client's login session. */
export type SessionEffect = 'starts' | 'ends';

export interface Route<
  Path extends string = string,
  Query extends z.ZodType | undefined = z.ZodType | undefined,
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType = z.ZodType,
> {
  readonly method: HttpMethod;
  readonly path: Path;
  readonly query: Query;
  readonly body: Body;
  readonly response: Response;
  readonly session: SessionEffect | undefined;
}

/** `{ orgId: string; nodeId: string }` for `/v1/orgs/:orgId/nodes/:nodeId`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { readonly [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { readonly [K in Name]: string }
    : unknown;

type ParamsPart<P extends string> = P extends `${string}:${string}`
  ? { readonly params: PathParams<P> }
  : unknown;
type QueryPart<Q> = Q extends z.ZodType ? { readonly query?: z.input<Q> } : unknown;
type BodyPart<B> = B extends z.ZodType ? { readonly body: z.input<B> } : unknown;

/** The input of a call: path parameters, query and body, each only where the route has one. */
export type RouteInput<R extends Route> =
  R extends Route<infer P, infer Q, infer B, z.ZodType>
    ? ParamsPart<P> & QueryPart<Q> & BodyPart<B>
    : never;

/** The parsed response of a route. */
export type RouteOutput<R extends Route> = z.output<R['response']>;

/** `[input]` when the route needs one, `[input?]` when it needs nothing. */
export type RouteArgs<R extends Route> =
  object extends RouteInput<R> ? [input?: RouteInput<R>] : [input: RouteInput<R>];

export function route<
  const Path extends string,
  Response extends z.ZodType,
  Body extends z.ZodType | undefined = undefined,
  Query extends z.ZodType | undefined = undefined,
>(
  method: HttpMethod,
  path: Path,
  schemas: {
    readonly response: Response;
    readonly body?: Body;
    readonly query?: Query;
    readonly session?: SessionEffect;
  },
): Route<Path, Query, Body, Response> {
  return {
    method,
    path,
    query: schemas.query as Query,
    body: schemas.body as Body,
    response: schemas.response,
    session: schemas.session,
  };
}

/** `/v1/orgs/:orgId` + `{ orgId: 'org_…' }` → `/v1/orgs/org_…` (each value URI-encoded). */
export function fillPath(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new TypeError(`missing path parameter "${name}" for ${template}`);
    }
    return encodeURIComponent(value);
  });
}
