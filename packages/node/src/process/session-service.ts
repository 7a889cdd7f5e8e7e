/**
 * The node's session service (issue 4, "Sessions" and "Approval gate", as a process): one
 * `SessionRunner` over the node's transport, fed by a single transport listener that splits
 * traffic by sender — commands from the enrolled coordinator (coordinator-protocol.ts) go
 * here, everything from peers goes to the runner. A command runs (or resumes) the session
 * with the runner, which checks the approval evidence of signing requests itself and
 * persists single-use state in the durable ledger; the outcome goes back to the coordinator
 * as a report with public outputs only. Commands from anyone else are never executed.
 */
import type { Logger } from 'pino';
import type { ApprovalPolicy } from '../approvals/index.js';
import type { Keystore } from '../keystore/store.js';
import type { DurableLedger } from '../sessions/durable-ledger.js';
import { SessionAborted } from '../sessions/errors.js';
import { SessionRunner, toAbort } from '../sessions/runner.js';
import type { SessionRequest } from '../sessions/runner.js';
import type { OpenedMessage } from '../transport/inbox.js';
import type { NodeTransport } from '../transport/node-transport.js';
import type { TransportError } from '../transport/errors.js';
import { assertPublicOutput, decodeSessionCommand, encodeMessage } from './coordinator-protocol.js';
import type { SessionCommand, SessionReport } from './coordinator-protocol.js';

export interface SessionServiceOptions {
  readonly transport: NodeTransport;
  readonly keystore: Keystore;
  /** The durable usage ledger; owned from now on (`close()` closes it). */
  readonly ledger: DurableLedger;
  readonly coordinatorId: string;
  readonly approvalPolicy: ApprovalPolicy | undefined;
  /** The organisations served (enrolment.organisations); undefined: any. */
  readonly organisations?: readonly string[] | undefined;
  readonly roundTimeoutMs: number;
  readonly logger: Logger;
}

/** Longest `close()` waits for running sessions to settle after the runner aborts them. */
const SETTLE_LIMIT_MS = 5_000;

export class SessionService {
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  private readonly runner: SessionRunner;
  private readonly log: Logger;

  /** Synchronous, so the caller can listen in the same tick as the relay connects. */
  constructor(private readonly opts: SessionServiceOptions) {
    this.runner = new SessionRunner({
      transport: opts.transport,
      keystore: opts.keystore,
      ledger: opts.ledger,
      logger: opts.logger,
      roundTimeoutMs: opts.roundTimeoutMs,
      listen: false,
      ...(opts.approvalPolicy === undefined ? {} : { approvalPolicy: opts.approvalPolicy }),
      ...(opts.organisations === undefined ? {} : { organisations: opts.organisations }),
    });
    this.log = opts.logger.child({ component: 'service' });
  }

  /** Every authenticated inbound message, from the transport's single listener. */
  onMessage(message: OpenedMessage): void {
    if (this.#closed) return;
    if (message.from !== this.opts.coordinatorId) {
      this.runner.listener.onMessage(message);
      return;
    }
    if (message.kind !== 'direct') {
      this.log.warn({ session: message.session }, 'coordinator broadcast ignored');
      return;
    }
    let command: SessionCommand;
    try {
      command = decodeSessionCommand(message.payload);
    } catch (error) {
      this.log.warn({ err: describe(error) }, 'malformed coordinator command refused');
      this.opts.transport.forgetSession(message.session);
      return;
    }
    const task = this.#execute(message.session, command).finally(() => this.#inFlight.delete(task));
    this.#inFlight.add(task);
  }

  onReject(error: TransportError): void {
    this.runner.listener.onReject(error);
  }

  /** Aborts running sessions (state stays persisted), lets them report, closes the ledger. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.runner.close();
    const settled = Promise.allSettled([...this.#inFlight]);
    await Promise.race([settled, new Promise((r) => setTimeout(r, SETTLE_LIMIT_MS).unref())]);
    this.opts.ledger.close();
  }

  async #execute(controlSession: string, command: SessionCommand): Promise<void> {
    const request: SessionRequest = command.request;
    const base = { sessionId: request.sessionId, protocol: request.protocol };
    this.log.info({ ...base, action: command.action }, 'session command from the coordinator');
    let report: SessionReport;
    try {
      const result =
        command.action === 'run'
          ? await this.runner.run(request)
          : await this.runner.resume(request);
      assertPublicOutput(result.output);
      report = {
        v: 1,
        type: 'session-report',
        ...base,
        status: 'completed',
        output: result.output,
      };
    } catch (error) {
      const aborted = error instanceof SessionAborted ? error : toAbort(error);
      report = {
        v: 1,
        type: 'session-report',
        ...base,
        status: 'aborted',
        code: aborted.code,
        ...(aborted.reason === undefined ? {} : { reason: aborted.reason }),
        culprits: [...aborted.culprits],
        message: aborted.message,
      };
    }
    try {
      await this.opts.transport.send(
        controlSession,
        this.opts.coordinatorId,
        encodeMessage(report),
      );
      this.log.info({ ...base, status: report.status }, 'session report sent');
    } catch (error) {
      this.log.warn({ ...base, err: describe(error) }, 'session report not sent');
    } finally {
      this.opts.transport.forgetSession(controlSession);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
