/**
 * @coffer/sdk: a typed client for the Coffer HTTP API. Request and response types are those
 * of @coffer/protocol's zod schemas, and every answer is parsed with them.
 *
 * ```ts
 * const coffer = new CofferClient({ baseUrl: 'http://127.0.0.1:8740' });
 * await coffer.login({ email, password });
 * const { memberships } = await coffer.listOrgs();
 * ```
 */
export { CofferClient, type CofferClientOptions, type SessionCredentials } from './client.js';
export { CofferApiError, type ApiIssue, type ClientErrorCode } from './errors.js';
export { pollUntil, PollTimeoutError, type PollOptions } from './poll.js';
export {
  fillPath,
  route,
  type HttpMethod,
  type PathParams,
  type Route,
  type RouteArgs,
  type RouteInput,
  type RouteOutput,
} from './route.js';
export { MembershipList, routes, type Routes } from './routes.js';
