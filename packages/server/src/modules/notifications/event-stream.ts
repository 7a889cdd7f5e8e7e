/**
 * GET /v1/orgs/:orgId/events — the organisation's audit entries as server-sent events (WHATWG
 * HTML §9.2): `id` = seq, `event` = action, `data` = the entry's JSON. A client resumes after
 * a disconnect with the `Last-Event-ID` header (browsers' EventSource send it) or `?after=seq`,
 * and gets every later entry exactly once, in order. Each stream polls the audit table
 * (`pollMs`, 500 ms by default): every replica sees every commit with no other infrastructure,
 * at the cost of one small indexed query per open stream per interval. A comment line every 15 s
 * keeps proxies from closing an idle stream; the caller's membership is checked again then, so
 * a removed member's stream ends. Streams end when the client goes or the app closes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../store/database.js';
import { ServerError } from '../../http/server-error.js';
import { listAudit } from '../audit/audit-store.js';
import { EVERY_ROLE, requireOrgRole } from '../orgs/access.js';

const PAGE = 200;

export interface EventStreamOptions {
  readonly pollMs?: number;
  readonly keepAliveMs?: number;
}

/** The open streams of one app, ended when it closes. */
export class EventStreams {
  readonly #open = new Set<() => void>();

  constructor(private readonly options: EventStreamOptions = {}) {}

  closeAll(): void {
    for (const end of [...this.#open]) end();
  }

  /** Where to resume: `Last-Event-ID` if sent, else `?after`, else 0 (the whole log). */
  static resumePoint(request: FastifyRequest, after: number | undefined): number {
    const header = request.headers['last-event-id'];
    if (header === undefined || header === '') return after ?? 0;
    if (typeof header !== 'string' || !/^\d{1,9}$/.test(header)) {
      throw new ServerError('VALIDATION_FAILED', 'Last-Event-ID: must be a non-negative integer', [
        { path: 'headers.last-event-id', message: 'must be a non-negative integer' },
      ]);
    }
    return Number(header);
  }

  /** Takes over the reply and streams until the client or the app goes away. */
  stream(
    db: Queryable,
    request: FastifyRequest,
    reply: FastifyReply,
    orgId: string,
    after: number,
  ) {
    const pollMs = this.options.pollMs ?? 500;
    const keepAliveMs = this.options.keepAliveMs ?? 15_000;
    reply.hijack();
    const raw = reply.raw;
    // The headers plugins set so far (helmet, CORS, rate limit), which hijacking would drop.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) raw.setHeader(name, value);
    }
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    let cursor = after;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = Date.now();
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.#open.delete(end);
      raw.end();
    };
    this.#open.add(end);
    request.raw.on('close', end);
    raw.on('close', end);

    /** One poll; true when a full page came (more may be waiting: poll again at once). */
    const tick = async (): Promise<boolean> => {
      const entries = await listAudit(db, orgId, cursor, PAGE);
      if (ended) return false;
      for (const entry of entries) {
        raw.write(`id: ${entry.seq}\nevent: ${entry.action}\ndata: ${JSON.stringify(entry)}\n\n`);
        cursor = entry.seq;
      }
      if (entries.length > 0) lastWrite = Date.now();
      if (Date.now() - lastWrite >= keepAliveMs) {
        await requireOrgRole(db, request, orgId, EVERY_ROLE); // still a member?
        if (ended) return false;
        raw.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      return entries.length === PAGE;
    };
    const loop = () => {
      tick()
        .then((more) => {
          if (!ended) timer = setTimeout(loop, more ? 0 : pollMs);
        })
        .catch((error: unknown) => {
          request.log.info({ err: error }, 'event stream ended');
          end();
        });
    };
    loop();
  }
}
