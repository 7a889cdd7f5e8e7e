/**
 * The session runner (issue 4, "Sessions"): drives any protocol driver over the node
 * transport. For a `SessionRequest` it maps parties to node ids, refuses signing sessions
 * without valid approval evidence (approvals/, logged), consumes the session id once in the
 * durable ledger together with one of the few uses of the evidence's (request, digest) —
 * approvals admit a bounded number of sessions, never more (EVIDENCE_REPLAYED) — then for
 * every round: collects each
 * expected peer's messages (per-round timeout naming the missing peers); after a round in
 * which the parties broadcast, runs the echo check (broadcast-echo.ts: equivocation aborts
 * naming the sender) before anything acts on it; seals the round input and state in the keystore,
 * consumes the round in the ledger, runs the driver step, seals the new state, and only then
 * sends the outbound messages. It ends with the driver's output or a `SessionAborted` naming
 * the culprit parties (CryptoError culprits, peers that timed out or broke the framing).
 *
 * Fail closed on restart: a persisted session can only be `resume`d by re-driving the step
 * whose input was saved, and that step's ledger id (and the driver's nonce/presignature ids)
 * were consumed before anything left the node, so a re-run is refused with STATE_CONSUMED.
 */
import { CryptoError, type PartyId, type UsageLedger } from '@coffer/crypto';
import pino, { type Logger } from 'pino';
import type { Keystore } from '../keystore/index.js';
import type {
  NodeTransport,
  NodeTransportListener,
  OpenedMessage,
  TransportError,
  Unsubscribe,
} from '../transport/index.js';
import {
  ApprovalRefused,
  consumeEvidence,
  verifyAnyEvidence,
  type AnyEvidenceVerdict,
  type ApprovalPolicy,
  type SigningEvidence,
} from '../approvals/index.js';

/** What the replay ledger needs of accepted evidence (v1 or v2). */
type EvidenceIds = Pick<SigningEvidence, 'vaultId' | 'requestId'>;
import {
  PROTOCOL_ECHOED,
  checkBroadcastEchoes,
  echoRecordOf,
  type EchoRecord,
} from './broadcast-echo.js';
import { SessionAborted } from './errors.js';
import {
  SessionMailbox,
  PendingMailboxes,
  decodeFrame,
  encodeEchoFrame,
  encodeFrame,
  isEchoFrame,
  type Frame,
} from './mailbox.js';
import { PROTOCOL_DRIVERS } from './drivers/index.js';
import type { VaultGenesis } from '../approvals/genesis.js';
import {
  deleteSessionRecord,
  loadKeyGenesis,
  loadPolicyHighWater,
  loadSessionRecord,
  savePolicyHighWater,
  saveSessionRecord,
} from './session-store.js';
import {
  PROTOCOL_NAMES,
  SIGNING_PROTOCOLS,
  isDone,
  type DriverContext,
  type InboundMessage,
  type ProtocolDriver,
  type ProtocolName,
  type RoundOutput,
} from './types.js';
import { redactionPaths } from './session-logger.js';

export interface SessionRequest {
  /** Lowercase hex, 16..64 bytes, unique: a node runs a session id at most once. */
  readonly sessionId: string;
  readonly protocol: ProtocolName;
  readonly params: unknown;
  /** Protocol party → enrolled node id, for every participant (this node included). */
  readonly participants: Readonly<Record<PartyId, string>>;
  /** Signing evidence (APPROVALS.md); required for frost-sign and dkls23-sign. */
  readonly evidence?: unknown;
}

export interface SessionResult<O = unknown> {
  readonly sessionId: string;
  readonly protocol: ProtocolName;
  readonly output: O;
}

/** What the runner needs of the transport (NodeTransport satisfies it). */
export type SessionTransport = Pick<
  NodeTransport,
  'nodeId' | 'directory' | 'send' | 'broadcast' | 'listen' | 'forgetSession'
>;

/** Fault injection for tests: runs after a step's output exists, before it is persisted/sent. */
export interface SessionHooks {
  afterStep?(info: { readonly sessionId: string; readonly round: number }): Promise<void> | void;
}

export interface SessionRunnerOptions {
  readonly transport: SessionTransport;
  readonly keystore: Keystore;
  /** Durable (DurableLedger) in production. */
  readonly ledger: UsageLedger;
  /** Needed to join signing sessions; without it every signing request is refused. */
  readonly approvalPolicy?: ApprovalPolicy;
  /**
   * The organisations this node serves: a key generation whose genesis names another, or
   * that has no genesis, is refused (INVALID_REQUEST). Absent: any organisation.
   */
  readonly organisations?: readonly string[];
  readonly logger?: Logger;
  /** Per-round deadline; default 30 s. */
  readonly roundTimeoutMs?: number;
  /** Subscribe to the transport now (default true); else feed `listener` yourself. */
  readonly listen?: boolean;
  /** Replace drivers (tests: a misbehaving peer). */
  readonly drivers?: Partial<Record<ProtocolName, ProtocolDriver>>;
  readonly hooks?: SessionHooks;
}

const SESSION_ID = /^(?:[0-9a-f]{2}){16,64}$/;
/** Sessions that create a key (and may carry a vault genesis). */
const KEYGEN_PROTOCOLS: ReadonlySet<ProtocolName> = new Set(['dkg', 'dkls23-keygen']);
export const DEFAULT_ROUND_TIMEOUT_MS = 30_000;

interface Running {
  readonly request: SessionRequest;
  readonly self: PartyId;
  readonly partyOfNode: ReadonlyMap<string, PartyId>;
  readonly mailbox: SessionMailbox;
  /** Echo records of this node's own broadcasts, by the round they belong to. */
  readonly ownBroadcasts: Map<number, EchoRecord[]>;
}

export class SessionRunner {
  readonly #opts: SessionRunnerOptions;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  readonly #pending = new PendingMailboxes();
  readonly #timeoutMs: number;
  #unsubscribe: Unsubscribe | undefined;
  #closed = false;

  /** Feed this to `NodeTransport.listen` when `listen: false`. */
  readonly listener: NodeTransportListener = {
    onMessage: (message) => this.#onMessage(message),
    onReject: (error) => this.#onReject(error),
  };

  constructor(options: SessionRunnerOptions) {
    this.#opts = options;
    this.#log = (options.logger ?? defaultLogger()).child({ component: 'sessions' });
    this.#timeoutMs = options.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS;
    if (options.listen !== false) this.#unsubscribe = options.transport.listen(this.listener);
  }

  /** Runs a new session to its output; rejects with `SessionAborted`. */
  async run<O = unknown>(request: SessionRequest): Promise<SessionResult<O>> {
    const { driver, params, ctx } = this.#prepare(request);
    if (await loadSessionRecord(this.#opts.keystore, request.sessionId)) {
      throw new SessionAborted('SESSION_REPLAYED', 'this session has persisted state; use resume');
    }
    const evidence = await this.#gate(request, driver, params, ctx);
    try {
      this.#opts.ledger.consume(`session/${request.sessionId}`);
    } catch (error) {
      if (error instanceof CryptoError && error.code === 'STATE_CONSUMED') {
        throw new SessionAborted('SESSION_REPLAYED', 'this session id already ran on this node');
      }
      throw error;
    }
    if (evidence) this.#consumeEvidence(request, evidence.evidence, evidence.digest);
    const running = this.#register(request, ctx.self);
    return this.#guard(running, async () => {
      const first = await driver.start(ctx, params);
      await this.#persist(request, 0, first.state, null);
      await this.#send(running, 1, first);
      return this.#drive<O>(running, driver, ctx, 1, first, undefined);
    });
  }

  /**
   * Re-drives a session whose state this node persisted before a crash. Fails closed: a
   * round already consumed in the ledger is refused (STATE_CONSUMED); a session whose
   * round input was not saved cannot be resumed (NOT_RESUMABLE). The record is then wiped.
   */
  async resume<O = unknown>(request: SessionRequest): Promise<SessionResult<O>> {
    const { driver, params, ctx } = this.#prepare(request);
    const record = await loadSessionRecord(this.#opts.keystore, request.sessionId);
    if (!record || record.protocol !== request.protocol) {
      throw new SessionAborted('NOT_RESUMABLE', 'no persisted state for this session');
    }
    await this.#gate(request, driver, params, ctx);
    const running = this.#register(request, ctx.self);
    return this.#guard(running, async () => {
      if (record.pendingInbound === null) {
        throw new SessionAborted('NOT_RESUMABLE', `round ${record.round + 1} input was lost`);
      }
      const current: RoundOutput = { state: record.state, outbound: [], expect: 0 };
      return this.#drive<O>(running, driver, ctx, record.round + 1, current, record.pendingInbound);
    });
  }

  /** Stops listening and aborts running sessions (RUNNER_CLOSED); persisted state is kept. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    for (const running of this.#running.values()) {
      running.mailbox.fail(new SessionAborted('RUNNER_CLOSED', 'the session runner was closed'));
    }
  }

  async #drive<O>(
    running: Running,
    driver: ProtocolDriver,
    ctx: DriverContext,
    fromRound: number,
    start: RoundOutput,
    savedInbound: readonly InboundMessage[] | undefined,
  ): Promise<SessionResult<O>> {
    const { request } = running;
    let current = start;
    let replay = savedInbound;
    for (let round = fromRound; ; round += 1) {
      let inbound: readonly InboundMessage[];
      if (replay) {
        // Saved only after its echo check passed (below), so it is not checked again.
        inbound = replay;
      } else {
        inbound = await running.mailbox.collect(round, current.expect, this.#timeoutMs);
        if (running.ownBroadcasts.has(round) && !PROTOCOL_ECHOED.has(request.protocol)) {
          await this.#echo(running, round, inbound);
        }
      }
      replay = undefined;
      if (!savedInbound || round !== fromRound) {
        await this.#persist(request, round - 1, current.state, inbound);
      }
      this.#opts.ledger.consume(`session/${request.sessionId}/round/${round}`);
      const step = await driver.step(ctx, current.state, inbound);
      await this.#opts.hooks?.afterStep?.({ sessionId: request.sessionId, round });
      if (this.#closed) throw new SessionAborted('RUNNER_CLOSED', 'the session runner was closed');
      if (isDone(step)) {
        await deleteSessionRecord(this.#opts.keystore, request.sessionId);
        this.#log.info(
          { sessionId: request.sessionId, protocol: request.protocol, rounds: round },
          'session completed',
        );
        return { sessionId: request.sessionId, protocol: request.protocol, output: step.done as O };
      }
      await this.#persist(request, round, step.state, null);
      await this.#send(running, round + 1, step);
      current = step;
    }
  }

  #prepare(request: SessionRequest): {
    driver: ProtocolDriver;
    params: unknown;
    ctx: DriverContext;
  } {
    if (this.#closed) throw new SessionAborted('RUNNER_CLOSED', 'the session runner was closed');
    const invalid = (message: string) => new SessionAborted('INVALID_REQUEST', message);
    if (typeof request !== 'object' || request === null) throw invalid('request must be an object');
    if (typeof request.sessionId !== 'string' || !SESSION_ID.test(request.sessionId)) {
      throw invalid('sessionId must be 16..64 bytes of lowercase hex');
    }
    if (!PROTOCOL_NAMES.includes(request.protocol)) throw invalid('unknown protocol');
    const participants = Object.entries(request.participants ?? {});
    const nodes = new Set(participants.map(([, node]) => node));
    if (participants.length < 2 || nodes.size !== participants.length) {
      throw invalid('participants must map at least two parties to distinct node ids');
    }
    const self = participants.find(([, node]) => node === this.#opts.transport.nodeId)?.[0];
    if (self === undefined) throw invalid('this node is not a participant');
    if (this.#running.has(request.sessionId)) throw invalid('this session is already running');
    const driver = this.#opts.drivers?.[request.protocol] ?? PROTOCOL_DRIVERS[request.protocol];
    if (!driver) throw invalid(`no driver for ${request.protocol}`);
    const parties = participants.map(([party]) => party);
    let params: unknown;
    try {
      params = driver.parseParams(request.params, parties);
    } catch (error) {
      throw new SessionAborted('INVALID_REQUEST', `bad params: ${describe(error)}`, {
        cause: error,
      });
    }
    const served = this.#opts.organisations;
    if (served !== undefined && KEYGEN_PROTOCOLS.has(request.protocol)) {
      const orgId = (params as { genesis?: VaultGenesis }).genesis?.orgId;
      if (orgId === undefined || !served.includes(orgId)) {
        this.#log.warn(
          { sessionId: request.sessionId, protocol: request.protocol, orgId },
          'key generation refused: organisation not served',
        );
        throw invalid(
          orgId === undefined
            ? 'this node generates keys only with a vault genesis naming an organisation it serves'
            : `this node does not serve organisation ${orgId}`,
        );
      }
    }
    const ctx: DriverContext = {
      sessionId: request.sessionId,
      self,
      parties,
      keystore: this.#opts.keystore,
      ledger: this.#opts.ledger,
    };
    return { driver, params, ctx };
  }

  /**
   * The approval gate: signing sessions need evidence covering the digest to sign, judged
   * under the policy of the key's genesis (stored with the share at key generation), or the
   * node's configured policy for a key generated without one. Returns the accepted evidence
   * and digest (undefined for sessions that sign nothing).
   */
  async #gate(
    request: SessionRequest,
    driver: ProtocolDriver,
    params: unknown,
    ctx: DriverContext,
  ): Promise<{ evidence: EvidenceIds; digest: string } | undefined> {
    if (!SIGNING_PROTOCOLS.has(request.protocol)) return undefined;
    const digest = driver.digestOf(params) ?? '';
    const keyId = await driver.keyIdOf?.(ctx, params);
    const genesis = keyId === undefined ? undefined : await this.#genesisOf(keyId);
    let verdict = verifyAnyEvidence(
      { genesis, configured: this.#opts.approvalPolicy },
      request.evidence,
      digest,
      new Date(),
    );
    if (verdict.ok && verdict.policy === 'published' && keyId !== undefined) {
      verdict = await this.#checkPolicyHighWater(keyId, verdict.evidence.policyVersion, verdict);
    }
    if (verdict.ok) {
      this.#log.info(
        {
          sessionId: request.sessionId,
          protocol: request.protocol,
          requestId: verdict.evidence.requestId,
          approvers: verdict.approvers,
          policy:
            verdict.policy === 'published'
              ? `published v${verdict.evidence.policyVersion}`
              : verdict.policy,
        },
        'signing evidence accepted',
      );
      return { evidence: verdict.evidence, digest };
    }
    this.#log.warn(
      {
        sessionId: request.sessionId,
        protocol: request.protocol,
        reason: verdict.reason,
        approverKeyId: verdict.approverKeyId,
      },
      'signing request refused: evidence does not authorise it',
    );
    throw new SessionAborted('EVIDENCE_REFUSED', verdict.message, { reason: verdict.reason });
  }

  /**
   * Rollback protection for evidence v2: once this node accepted a published version for a
   * key, evidence judged under an older one is refused; a newer one raises the mark (stored
   * before the session starts).
   */
  async #checkPolicyHighWater(
    keyId: string,
    version: number,
    accepted: AnyEvidenceVerdict,
  ): Promise<AnyEvidenceVerdict> {
    const high = await loadPolicyHighWater(this.#opts.keystore, keyId);
    if (version < high) {
      return {
        ok: false,
        reason: 'POLICY_VERSION_MISMATCH',
        message: `policy version ${version} is superseded: this node accepted version ${high} for this key`,
      };
    }
    if (version > high) await savePolicyHighWater(this.#opts.keystore, keyId, version);
    return accepted;
  }

  /** The genesis stored with `keyId`; a corrupt record refuses (fail closed, never falls back). */
  async #genesisOf(keyId: string): Promise<VaultGenesis | undefined> {
    try {
      return await loadKeyGenesis(this.#opts.keystore, keyId);
    } catch (error) {
      throw new SessionAborted('KEY_UNAVAILABLE', 'the key genesis record is unreadable', {
        reason: 'RECORD_CORRUPT',
        cause: error,
      });
    }
  }

  /**
   * Evidence replay (APPROVALS.md, "Replay"): one use of the (vault, request, digest) the
   * evidence authorises is consumed durably when this node admits the session, so the same
   * approvals make this node join at most SESSIONS_PER_APPROVAL sessions of that digest.
   */
  #consumeEvidence(request: SessionRequest, evidence: EvidenceIds, digest: string): void {
    try {
      consumeEvidence(this.#opts.ledger, evidence, digest);
    } catch (error) {
      if (!(error instanceof ApprovalRefused)) throw error;
      this.#log.warn(
        {
          sessionId: request.sessionId,
          protocol: request.protocol,
          vaultId: evidence.vaultId,
          requestId: evidence.requestId,
          reason: error.reason,
        },
        'signing request refused: evidence already used',
      );
      throw new SessionAborted('EVIDENCE_REFUSED', error.message, { reason: error.reason });
    }
  }

  #register(request: SessionRequest, self: PartyId): Running {
    const partyOfNode = new Map(
      Object.entries(request.participants).map(([party, node]) => [node, party]),
    );
    const peers = Object.keys(request.participants).filter((p) => p !== self);
    const running: Running = {
      request,
      self,
      partyOfNode,
      mailbox: new SessionMailbox(peers),
      ownBroadcasts: new Map(),
    };
    this.#running.set(request.sessionId, running);
    for (const held of this.#pending.take(request.sessionId)) {
      this.#deliver(running, held.from, held.broadcast, held.frame, held.record);
    }
    return running;
  }

  /**
   * The echo round after broadcast round `round` (broadcast-echo.ts): every message of the
   * round must have come as a broadcast; this node broadcasts its view (the round's records)
   * and waits for every peer's, then compares. Only public data moves: body hashes and the
   * senders' signatures of broadcasts every participant received anyway.
   */
  async #echo(running: Running, round: number, inbound: readonly InboundMessage[]) {
    const { request, mailbox } = running;
    const direct = inbound.find((m) => !m.broadcast);
    if (direct) {
      throw new SessionAborted('PROTOCOL_FAULT', `round-${round} message was not broadcast`, {
        culprits: [direct.from],
        reason: 'NOT_BROADCAST',
      });
    }
    const own = [...(running.ownBroadcasts.get(round) ?? []), ...mailbox.recordsOf(round)];
    await this.#opts.transport.broadcast(request.sessionId, encodeEchoFrame(round, own));
    const echoes = await mailbox.collectEchoes(round, this.#timeoutMs);
    checkBroadcastEchoes({
      sessionId: request.sessionId,
      round,
      own,
      echoes,
      partyOfNode: running.partyOfNode,
      directory: this.#opts.transport.directory,
    });
    this.#log.debug({ sessionId: request.sessionId, round }, 'broadcast echo consistent');
  }

  async #guard<T>(running: Running, body: () => Promise<T>): Promise<T> {
    const { request } = running;
    try {
      return await body();
    } catch (error) {
      const aborted = toAbort(error);
      if (aborted.code !== 'RUNNER_CLOSED') {
        await deleteSessionRecord(this.#opts.keystore, request.sessionId).catch(() => undefined);
      }
      this.#log.warn(
        {
          sessionId: request.sessionId,
          protocol: request.protocol,
          code: aborted.code,
          reason: aborted.reason,
          culprits: aborted.culprits,
        },
        'session aborted',
      );
      throw aborted;
    } finally {
      this.#running.delete(request.sessionId);
      this.#opts.transport.forgetSession(request.sessionId);
    }
  }

  async #persist(
    request: SessionRequest,
    round: number,
    state: string,
    pendingInbound: readonly InboundMessage[] | null,
  ) {
    await saveSessionRecord(this.#opts.keystore, {
      v: 1,
      sessionId: request.sessionId,
      protocol: request.protocol,
      round,
      state,
      pendingInbound,
    });
  }

  async #send(running: Running, round: number, output: RoundOutput): Promise<void> {
    const { request } = running;
    for (const message of output.outbound) {
      const frame = encodeFrame(round, message.payload);
      if (message.to === '*') {
        const sealed = await this.#opts.transport.broadcast(request.sessionId, frame);
        const records = running.ownBroadcasts.get(round) ?? [];
        records.push(echoRecordOf(sealed.envelope));
        running.ownBroadcasts.set(round, records);
        continue;
      }
      const node = request.participants[message.to];
      if (node === undefined)
        throw new SessionAborted('NODE_FAULT', `no node for party ${message.to}`);
      await this.#opts.transport.send(request.sessionId, node, frame);
    }
  }

  #onMessage(message: OpenedMessage): void {
    const frame = decodeFrame(message.payload);
    const running = this.#running.get(message.session);
    if (!frame) {
      const party = running?.partyOfNode.get(message.from);
      this.#log.warn({ sessionId: message.session, from: message.from }, 'malformed session frame');
      if (running && party !== undefined) {
        running.mailbox.fail(
          new SessionAborted('PROTOCOL_FAULT', 'malformed frame', {
            culprits: [party],
            reason: 'MALFORMED_FRAME',
          }),
        );
      }
      return;
    }
    const broadcast = message.kind === 'broadcast';
    const record = broadcast ? echoRecordOf(message.envelope) : undefined;
    if (!running) {
      const held = { from: message.from, broadcast, frame, record };
      if (!this.#pending.hold(message.session, held)) {
        this.#log.warn(
          { sessionId: message.session, from: message.from },
          'dropped message for unknown session',
        );
      }
      return;
    }
    this.#deliver(running, message.from, broadcast, frame, record);
  }

  #deliver(
    running: Running,
    fromNode: string,
    broadcast: boolean,
    frame: NonNullable<ReturnType<typeof decodeFrame>>,
    record: EchoRecord | undefined,
  ) {
    const party = running.partyOfNode.get(fromNode);
    if (party === undefined || party === running.self) {
      this.#log.warn(
        { sessionId: running.request.sessionId, from: fromNode },
        'message from a non-participant ignored',
      );
      return;
    }
    if (isEchoFrame(frame)) {
      running.mailbox.pushEcho(party, frame);
      return;
    }
    running.mailbox.push(party, broadcast, frame satisfies Frame, record);
  }

  #onReject(error: TransportError): void {
    // The relay may have tampered: the claimed sender is not provably at fault, so a reject
    // only logs; the round's deadline then names the peer whose message never arrived.
    this.#log.warn({ code: error.code, sender: error.sender }, 'transport rejected a message');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps any failure to a SessionAborted (crypto culprits kept). */
export function toAbort(error: unknown): SessionAborted {
  if (error instanceof SessionAborted) return error;
  if (error instanceof CryptoError) {
    if (error.code === 'STATE_CONSUMED') {
      return new SessionAborted(
        'STATE_CONSUMED',
        'single-use state was already used (fail closed)',
        { reason: error.code },
      );
    }
    return new SessionAborted('PROTOCOL_FAULT', error.message, {
      culprits: error.culprits,
      reason: error.code,
    });
  }
  return new SessionAborted('NODE_FAULT', describe(error), { cause: error });
}

function defaultLogger(): Logger {
  return pino({ name: 'coffer-node', redact: { paths: redactionPaths(), censor: '[redacted]' } });
}
