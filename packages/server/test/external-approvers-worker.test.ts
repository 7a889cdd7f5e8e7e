/**
 * The external-approval worker on its own (issue 6, item 7; EXTERNAL-APPROVERS.md), on PGlite
 * and a real PostgreSQL, against a real HTTP endpoint on loopback signing with a real Ed25519
 * key, with recording outcome callbacks in place of the request state machine: an approval
 * and a rejection each reach onAnswer once, inside the transaction that marks the call
 * answered (a failing callback rolls it back and the call is tried again); the call carries an
 * HMAC that verifies with the secret shown at creation; forged, misdirected, failed, garbled,
 * oversized, hanging and unreachable answers are failed attempts retried until the deadline,
 * where onTimeout runs once; and two workers on two connection pools call each call once.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { externalDecisionPayloadJson } from '@coffer/protocol';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/auth/users-store.js';
import {
  deleteExternalApprover,
  insertExternalApprover,
  insertExternalCall,
  type ExternalCall,
} from '../src/modules/external-approvers/store.js';
import {
  ExternalApprovalWorker,
  type ExternalCallOutcomes,
} from '../src/modules/external-approvers/worker.js';
import { verifyWebhook } from '../src/modules/notifications/webhook-signature.js';
import { createOrganisation } from '../src/modules/orgs/store.js';
import type { Database } from '../src/store/database.js';
import { migrate } from '../src/store/migrations.js';
import { waitFor } from './notifications-receiver.js';
import { storeBackends } from './support/store-backends.js';

interface ReceivedCall {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly callId: string;
}
type Respond = (call: ReceivedCall, sign: (d: 'approve' | 'reject') => string) => unknown;

/** The endpoint: records each call; `respond` returns a JSON answer, `{status}`, raw text or 'hang'. */
async function startEndpoint() {
  const key = ed25519.keygen();
  const received: ReceivedCall[] = [];
  const state = { respond: (() => ({ status: 500 })) as Respond };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = JSON.parse(body) as { callId: string; requestId: string; intentHash: string };
      const call = { headers: req.headers, body, callId: json.callId };
      received.push(call);
      const sign = (decision: 'approve' | 'reject') =>
        bytesToHex(
          ed25519.sign(
            utf8ToBytes(externalDecisionPayloadJson({ endpointId: 'aml', decision, ...json })),
            key.secretKey,
          ),
        );
      const answer = state.respond(call, sign);
      if (answer === 'hang') return;
      if (typeof answer === 'string') return res.end(answer);
      const status = (answer as { status?: number }).status;
      res.statusCode = status ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aml`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, received, state, publicKey: bytesToHex(key.publicKey), close };
}

/** Outcome callbacks that record what they saw, including the call's row in their transaction. */
function recordingOutcomes() {
  const seen: { kind: 'answer' | 'timeout'; callId: string; statusInTx: string }[] = [];
  const control = { failNext: false };
  const statusIn = async (tx: Parameters<ExternalCallOutcomes['onTimeout']>[0], id: string) =>
    (
      await tx.query<{ status: string }>('SELECT status FROM external_calls WHERE call_id = $1', [
        id,
      ])
    )[0]!.status;
  const outcomes: ExternalCallOutcomes = {
    async onAnswer(tx, call) {
      seen.push({
        kind: 'answer',
        callId: call.callId,
        statusInTx: await statusIn(tx, call.callId),
      });
      if (control.failNext) {
        control.failNext = false;
        throw new Error('the request could not be updated');
      }
      return false;
    },
    async onTimeout(tx, call) {
      seen.push({
        kind: 'timeout',
        callId: call.callId,
        statusInTx: await statusIn(tx, call.callId),
      });
    },
  };
  return { seen, control, outcomes };
}

const silent = pino({ level: 'silent' });

describe.each(storeBackends())('external-approval worker on $name', (backend) => {
  const running: { workers: ExternalApprovalWorker[]; closers: (() => Promise<void>)[] } = {
    workers: [],
    closers: [],
  };
  afterEach(async () => {
    await Promise.all(running.workers.splice(0).map((w) => w.stop()));
    await Promise.all(running.closers.splice(0).map((close) => close()));
    await backend.cleanup();
  });
  afterAll(() => backend.shutdown());

  /** A database with one organisation, vault and endpoint; `newCall` opens a call on a new request. */
  async function setUp() {
    const store = await backend.fresh();
    const db = store.db;
    await migrate(db);
    const endpoint = await startEndpoint();
    running.closers.push(endpoint.close);
    const user = await createUser(db, {
      email: 'ext@example.org',
      displayName: 'E',
      passwordHash: 'x',
    });
    const org = await db.transaction((tx) => createOrganisation(tx, 'Screened', user.id));
    const vaultId = `vlt_${org.id}`;
    await db.query(
      `INSERT INTO vaults (id, org_id, name, structure, parties, status, genesis, genesis_hash,
         created_by) VALUES ($1, $2, 'Hot', '2-of-3', '[]', 'active', '{}', 'x', $3)`,
      [vaultId, org.id, user.id],
    );
    const created = await insertExternalApprover(db, {
      orgId: org.id,
      id: 'aml',
      name: 'AML',
      url: endpoint.url,
      publicKey: endpoint.publicKey,
      createdBy: user.id,
    });
    let counter = 0;
    const newCall = async (timeoutSeconds = 600): Promise<ExternalCall> => {
      counter += 1;
      const requestId = `sig_${counter}_${org.id}`;
      await db.query(
        `INSERT INTO signature_requests (id, org_id, vault_id, scheme, digest, status,
           policy_version, created_by, intent, initiator, decision, expires_at, progress)
         VALUES ($1, $2, $3, 'ecdsa-secp256k1', $4, 'pending_approval', 2, $5, '{}', '{}', '{}',
           now() + interval '1 day', '{}')`,
        [requestId, org.id, vaultId, counter.toString(16).padStart(64, '0'), user.id],
      );
      const call = {
        callId: `call_${counter}_${org.id}`,
        orgId: org.id,
        requestId,
        endpointId: 'aml',
        stage: 0,
        onTimeout: 'fail' as const,
        deadlineAt: new Date(Date.now() + timeoutSeconds * 1000),
        payload: { callId: `call_${counter}_${org.id}`, requestId, intentHash: 'ab'.repeat(32) },
      };
      await db.transaction((tx) => insertExternalCall(tx, call));
      return { ...call, attempts: 0 };
    };
    const rowOf = async (callId: string) =>
      (
        await db.query<{
          status: string;
          attempts: number;
          last_error: string | null;
          decision: string | null;
          signature: string | null;
          answered_at: Date | null;
        }>(
          'SELECT status, attempts, last_error, decision, signature, answered_at FROM external_calls WHERE call_id = $1',
          [callId],
        )
      )[0]!;
    const auditFor = (requestId: string) =>
      db.query<{ action: string; details: Record<string, unknown> }>(
        "SELECT action, details FROM audit_log WHERE subject = $1 AND action LIKE 'external.%' ORDER BY seq",
        [requestId],
      );
    /** Makes a call due now (skips the backoff), optionally at or past its deadline. */
    const dueNow = (callId: string, pastDeadline = false) =>
      db.query(
        `UPDATE external_calls SET next_attempt_at = now()${pastDeadline ? ", deadline_at = now() - interval '1 second'" : ''} WHERE call_id = $1`,
        [callId],
      );
    const recording = recordingOutcomes();
    const worker = (
      options: { db?: Database; attemptTimeoutMs?: number; pollMs?: number } = {},
    ) => {
      const w = new ExternalApprovalWorker({
        db: options.db ?? db,
        logger: silent,
        outcomes: recording.outcomes,
        attemptTimeoutMs: options.attemptTimeoutMs ?? 5_000,
        pollMs: options.pollMs ?? 1_000,
      });
      running.workers.push(w);
      return w;
    };
    return {
      store,
      db,
      endpoint,
      secret: created!.secret,
      newCall,
      rowOf,
      auditFor,
      dueNow,
      worker,
      ...recording,
    };
  }

  it('an approval and a rejection each reach onAnswer once, in the transaction that records them', async () => {
    const s = await setUp();
    const worker = s.worker();
    for (const decision of ['approve', 'reject'] as const) {
      const call = await s.newCall();
      s.endpoint.state.respond = (c, sign) => ({
        callId: c.callId,
        decision,
        reason: `screened: ${decision}`,
        signature: sign(decision),
      });
      await worker.tick();
      await worker.tick();
      expect(s.seen.filter((x) => x.callId === call.callId)).toEqual([
        { kind: 'answer', callId: call.callId, statusInTx: 'answered' },
      ]);
      const row = await s.rowOf(call.callId);
      expect(row).toMatchObject({ status: 'answered', attempts: 1, decision });
      expect(row.signature).toMatch(/^[0-9a-f]{128}$/);
      expect(row.answered_at).toBeInstanceOf(Date);
      expect(await s.auditFor(call.requestId)).toEqual([
        {
          action: 'external.answered',
          details: {
            endpointId: 'aml',
            callId: call.callId,
            decision,
            reason: `screened: ${decision}`,
          },
        },
      ]);
      expect(s.endpoint.received.filter((r) => r.callId === call.callId)).toHaveLength(1);
    }
    // The call's HMAC verifies with the secret shown at creation, and only over its own body.
    const sent = s.endpoint.received[0]!;
    const check = (body: string, secret = s.secret) =>
      verifyWebhook({
        secret,
        body,
        timestamp: sent.headers['coffer-timestamp'] as string,
        signature: sent.headers['coffer-signature'] as string,
      });
    expect(sent.headers['coffer-call-id']).toBe(sent.callId);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(check(sent.body)).toBe(true);
    expect(check(sent.body.replace('"call_', '"call_x'))).toBe(false);
    expect(check(sent.body, `${s.secret}x`)).toBe(false);
  });

  it('a failing onAnswer rolls the answer back; the call is tried again and answered once', async () => {
    const s = await setUp();
    const worker = s.worker();
    const call = await s.newCall();
    s.endpoint.state.respond = (c, sign) => ({
      callId: c.callId,
      decision: 'approve',
      signature: sign('approve'),
    });
    s.control.failNext = true;
    await worker.tick();
    const rolledBack = await s.rowOf(call.callId);
    expect(rolledBack).toMatchObject({ status: 'pending', decision: null, signature: null });
    expect(rolledBack.last_error).toMatch(
      /recording the outcome failed: the request could not be updated/,
    );
    expect(await s.auditFor(call.requestId)).toEqual([]);
    await s.dueNow(call.callId);
    await worker.tick();
    expect(await s.rowOf(call.callId)).toMatchObject({ status: 'answered', attempts: 2 });
    expect(s.seen.map((x) => x.statusInTx)).toEqual(['answered', 'answered']);
    expect((await s.auditFor(call.requestId)).map((a) => a.action)).toEqual(['external.answered']);
  });

  it('bad answers are failed attempts, retried until the deadline; then onTimeout runs once', async () => {
    const s = await setUp();
    const worker = s.worker({ attemptTimeoutMs: 1_500 });
    const call = await s.newCall();
    const approve = (c: ReceivedCall, signature: string, callId = c.callId) => ({
      callId,
      decision: 'approve',
      signature,
    });
    const attempts: [Respond, RegExp][] = [
      [(c, sign) => approve(c, sign('reject')), /signature does not verify/],
      [(c) => approve(c, 'ab'.repeat(64)), /signature does not verify/],
      [(c, sign) => approve(c, sign('approve'), 'call_other'), /another call/],
      [() => ({ status: 500 }), /^HTTP 500$/],
      [(c, sign) => ({ ...approve(c, sign('approve')), status: 201 }), /^HTTP 201$/],
      [() => 'not json {', /not JSON/],
      [(c) => ({ callId: c.callId, decision: 'approve' }), /malformed answer: signature/],
      [
        (c, sign) => ({ ...approve(c, sign('approve')), decision: 'maybe' }),
        /malformed answer: decision/,
      ],
      [
        (c, sign) => ({ ...approve(c, sign('approve')), padding: 'x'.repeat(70_000) }),
        /over 65536 bytes/,
      ],
      [() => 'hang', /unreachable/],
    ];
    for (const [index, [respond, error]] of attempts.entries()) {
      s.endpoint.state.respond = respond;
      await s.dueNow(call.callId);
      await worker.tick();
      const row = await s.rowOf(call.callId);
      expect(row, String(respond)).toMatchObject({ status: 'pending', attempts: index + 1 });
      expect(row.last_error).toMatch(error);
    }
    expect(s.seen).toEqual([]);
    expect(s.endpoint.received).toHaveLength(attempts.length);

    await s.dueNow(call.callId, true);
    await worker.tick();
    await s.dueNow(call.callId, true);
    await worker.tick();
    expect(s.seen).toEqual([{ kind: 'timeout', callId: call.callId, statusInTx: 'timed_out' }]);
    expect(await s.rowOf(call.callId)).toMatchObject({ status: 'timed_out', decision: null });
    expect(await s.auditFor(call.requestId)).toEqual([
      {
        action: 'external.timed-out',
        details: { endpointId: 'aml', callId: call.callId, attempts: attempts.length },
      },
    ]);
    expect(s.endpoint.received).toHaveLength(attempts.length);
  });

  it('an unreachable or deleted endpoint is a failed attempt naming why', async () => {
    const s = await setUp();
    const worker = s.worker();
    const call = await s.newCall();
    await s.endpoint.close();
    await worker.tick();
    expect((await s.rowOf(call.callId)).last_error).toMatch(/^unreachable/);
    await s.db.transaction((tx) => deleteExternalApprover(tx, call.orgId, 'aml'));
    await s.dueNow(call.callId);
    await worker.tick();
    expect(await s.rowOf(call.callId)).toMatchObject({
      status: 'pending',
      attempts: 2,
      last_error: 'external approver aml is not configured',
    });
  });

  it('a running worker gives up at the deadline (eventually) and calls no more', async () => {
    const s = await setUp();
    s.endpoint.state.respond = () => ({ status: 503 });
    const call = await s.newCall(3);
    const worker = s.worker({ pollMs: 50, attemptTimeoutMs: 1_000 });
    worker.start();
    await waitFor('the timeout', () => s.seen.length > 0, 30_000);
    await worker.stop();
    expect(s.seen).toEqual([{ kind: 'timeout', callId: call.callId, statusInTx: 'timed_out' }]);
    const row = await s.rowOf(call.callId);
    expect(row.status).toBe('timed_out');
    expect(row.attempts).toBeGreaterThanOrEqual(2); // at least one call, then the timeout pass
    // Each pass before the deadline called once (one cut short near the deadline may not arrive).
    const calls = s.endpoint.received.length;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(row.attempts - 1);
    await s.worker().tick();
    expect(s.endpoint.received).toHaveLength(calls);
  });

  it('two workers on two connection pools call each call exactly once', async () => {
    const s = await setUp();
    const calls = [];
    for (let i = 0; i < 20; i++) calls.push(await s.newCall());
    s.endpoint.state.respond = (c, sign) => ({
      callId: c.callId,
      decision: 'approve',
      signature: sign('approve'),
    });
    const workers = [s.worker({ pollMs: 5 }), s.worker({ db: await s.store.connect(), pollMs: 5 })];
    for (const w of workers) w.start();
    await waitFor('every answer', () => s.seen.length >= calls.length, 60_000);
    await Promise.all(workers.map((w) => w.stop()));
    const ids = calls.map((c) => c.callId).sort();
    expect(s.endpoint.received.map((r) => r.callId).sort()).toEqual(ids);
    expect(s.seen.map((x) => x.callId).sort()).toEqual(ids);
    const rows = await s.db.query<{ attempts: number; status: string }>(
      'SELECT attempts, status FROM external_calls',
    );
    expect(rows).toEqual(Array(calls.length).fill({ attempts: 1, status: 'answered' }));
    const answered = await s.db.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM audit_log WHERE action = 'external.answered'",
    );
    expect(answered[0]!.n).toBe(calls.length);
  });
});
