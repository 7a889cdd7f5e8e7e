/**
 * System tests of threshold sessions across three real `coffer node` processes (issue 4,
 * "Tests"): the test coordinator has the nodes run a 2-of-3 DKG and FROST signing, and a
 * 2-of-3 DKLs23 keygen and ECDSA signing, with approval evidence; noble verifies both
 * signatures (and recovers the ECDSA key). Signing requests without approvals, with forged
 * approvals, with too few, or for a digest the approvals do not cover are refused by every
 * node. A relay that replays messages is harmless (duplicates are rejected as REPLAYED) and
 * one that tampers is detected (BAD_SIGNATURE; the round's deadline names the sender). A
 * node stopped by SIGTERM mid-session reports the abort and exits 0. A node killed (SIGKILL) mid-signing leaves the others able to sign with another authorised
 * quorum in a new session, and on restart it refuses to run or resume the interrupted
 * session, so its nonce is never used again.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalFixture } from './support/approvals.js';
import { Cluster, newPassphrase } from './support/cluster.js';
import { TestCoordinator, agreedOutput, coordinatorIdentity } from './support/coordinator.js';
import type { E2eSessionRequest } from './support/coordinator.js';
import { ObservedRelay, tamperedEnvelope } from './support/observed-relay.js';

const STEP_TIMEOUT = 90_000;
const ROUND_TIMEOUT_MS = 8_000;

interface DkgOutput {
  readonly keyId: string;
  readonly publicKey: string;
}
interface FrostOutput {
  readonly signature: string;
  readonly verifyingKey: string;
}
interface EcdsaOutput {
  readonly signature: string;
  readonly recovery: number;
  readonly publicKey: string;
}

const newSessionId = () => randomBytes(16).toString('hex');
const newMessage = () => randomBytes(32).toString('hex');

describe('coffer node: DKG, FROST and DKLs23 sessions across three processes', () => {
  const approvals = new ApprovalFixture();
  const coordinatorId = coordinatorIdentity();
  let backend: ObservedRelay;
  let cluster: Cluster;
  let coordinator: TestCoordinator;
  let node: (name: string) => string;
  let key: DkgOutput;

  const signRequest = (
    signers: readonly [string, string],
    parties: readonly [string, string],
    message: string,
    evidence: unknown,
  ): E2eSessionRequest => ({
    sessionId: newSessionId(),
    protocol: 'frost-sign',
    params: { suite: 'frost-ed25519', keyId: key.keyId, message },
    participants: { [parties[0]]: node(signers[0]), [parties[1]]: node(signers[1]) },
    ...(evidence === undefined ? {} : { evidence }),
  });

  beforeAll(async () => {
    cluster = await Cluster.create(
      ['a', 'b', 'c'].map((name) => ({
        name,
        setup: { provider: 'passphrase', passphrase: newPassphrase() },
      })),
      {
        coordinator: coordinatorId.publicIdentity,
        approvals: approvals.enrolment(),
        roundTimeoutMs: ROUND_TIMEOUT_MS,
        backend: (ids) => (backend = new ObservedRelay(ids)),
      },
    );
    node = (name) => cluster.node(name).identity.nodeId;
    await cluster.startAll();
    coordinator = await TestCoordinator.connect(
      coordinatorId,
      cluster.relay.url,
      'e2e-relay',
      cluster.nodes.map((n) => n.identity),
    );
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await coordinator?.close();
    await cluster?.close(backend);
  }, STEP_TIMEOUT);

  it(
    'runs a 2-of-3 DKG: every node reports the same public key',
    async () => {
      const reports = await coordinator.run({
        sessionId: newSessionId(),
        protocol: 'dkg',
        params: { group: 'ed25519', structure: '2of3' },
        participants: { p1: node('a'), p2: node('b'), p3: node('c') },
      });
      key = agreedOutput<DkgOutput>(reports);
      expect(key.publicKey).toMatch(/^[0-9a-f]{64}$/);
    },
    STEP_TIMEOUT,
  );

  it(
    'signs with FROST under two valid approvals; noble verifies the signature',
    async () => {
      const message = newMessage();
      const request = signRequest(
        ['a', 'b'],
        ['p1', 'p2'],
        message,
        approvals.evidence('req-1', [message], [0, 2]),
      );
      const output = agreedOutput<FrostOutput>(await coordinator.run(request));
      expect(output.verifyingKey).toBe(key.publicKey);
      expect(
        ed25519.verify(
          hexToBytes(output.signature),
          hexToBytes(message),
          hexToBytes(key.publicKey),
        ),
      ).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it.each([
    ['without evidence', () => undefined, 'EVIDENCE_MISSING'],
    [
      'with forged approvals',
      (m: string) => approvals.forgedEvidence('req-2', [m]),
      'INVALID_SIGNATURE',
    ],
    [
      'with one approval of two',
      (m: string) => approvals.evidence('req-3', [m], [1]),
      'QUORUM_NOT_MET',
    ],
    [
      'with approvals of another digest',
      () => approvals.evidence('req-4', [newMessage()], [0, 1]),
      'DIGEST_NOT_APPROVED',
    ],
  ])(
    'refuses a signing request %s on every node',
    async (_what, evidenceFor, reason) => {
      const message = newMessage();
      const request = signRequest(['b', 'c'], ['p2', 'p3'], message, evidenceFor(message));
      const reports = await coordinator.run(request);
      for (const report of reports.values()) {
        expect(report).toMatchObject({ status: 'aborted', code: 'EVIDENCE_REFUSED', reason });
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'runs a 2-of-3 DKLs23 keygen and signs a digest with ECDSA under valid approvals',
    async () => {
      const keygen = await coordinator.run({
        sessionId: newSessionId(),
        protocol: 'dkls23-keygen',
        params: { structure: '2of3' },
        participants: { p1: node('a'), p2: node('b'), p3: node('c') },
      });
      const ecdsaKey = agreedOutput<DkgOutput>(keygen);
      expect(ecdsaKey.publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
      const digest = newMessage();
      const request = (evidence: unknown): E2eSessionRequest => ({
        sessionId: newSessionId(),
        protocol: 'dkls23-sign',
        params: { keyId: ecdsaKey.keyId, digest },
        participants: { p3: node('c'), p1: node('a') },
        ...(evidence === undefined ? {} : { evidence }),
      });
      for (const report of (await coordinator.run(request(undefined))).values()) {
        expect(report).toMatchObject({ status: 'aborted', code: 'EVIDENCE_REFUSED' });
      }
      const signed = agreedOutput<EcdsaOutput>(
        await coordinator.run(request(approvals.evidence('req-ecdsa', [digest], [1, 2]))),
      );
      expect(signed.publicKey).toBe(ecdsaKey.publicKey);
      const signature = hexToBytes(signed.signature);
      expect(
        secp256k1.verify(signature, hexToBytes(digest), hexToBytes(ecdsaKey.publicKey), {
          prehash: false,
        }),
      ).toBe(true);
      const recovered = secp256k1.Signature.fromBytes(signature)
        .addRecoveryBit(signed.recovery)
        .recoverPublicKey(hexToBytes(digest))
        .toHex(true);
      expect(recovered).toBe(ecdsaKey.publicKey);
    },
    STEP_TIMEOUT,
  );

  it(
    'completes despite a replaying relay: every duplicate is rejected as REPLAYED',
    async () => {
      const message = newMessage();
      const request = signRequest(
        ['a', 'b'],
        ['p1', 'p2'],
        message,
        approvals.evidence('req-replay', [message], [0, 1]),
      );
      backend.interceptor = (p, bytes) =>
        p.session === request.sessionId ? [bytes, bytes] : [bytes];
      try {
        const output = agreedOutput<FrostOutput>(await coordinator.run(request));
        expect(
          ed25519.verify(
            hexToBytes(output.signature),
            hexToBytes(message),
            hexToBytes(key.publicKey),
          ),
        ).toBe(true);
      } finally {
        backend.interceptor = undefined;
      }
      const rejected = cluster.node('a').process!.logs('transport rejected a message');
      expect(rejected.some((l) => l.code === 'REPLAYED' && l.sender === node('b'))).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'detects a relay that tampers with a message: BAD_SIGNATURE, and the round names its sender',
    async () => {
      const message = newMessage();
      const request = signRequest(
        ['a', 'b'],
        ['p1', 'p2'],
        message,
        approvals.evidence('req-tamper', [message], [0, 1]),
      );
      backend.interceptor = (p, bytes) =>
        p.session === request.sessionId && p.from === node('b') && p.kind === 'broadcast'
          ? [tamperedEnvelope(bytes)]
          : [bytes];
      let reports;
      try {
        reports = await coordinator.run(request);
      } finally {
        backend.interceptor = undefined;
      }
      expect(reports.get(node('a'))).toMatchObject({
        status: 'aborted',
        code: 'TIMEOUT',
        culprits: ['p2'],
      });
      expect(reports.get(node('b'))?.status).toBe('aborted');
      const rejected = cluster.node('a').process!.logs('transport rejected a message');
      expect(rejected.some((l) => l.code === 'BAD_SIGNATURE' && l.sender === node('b'))).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'shuts down gracefully mid-session: the node reports RUNNER_CLOSED and exits 0',
    async () => {
      const message = newMessage();
      const request = signRequest(
        ['a', 'b'],
        ['p1', 'p2'],
        message,
        approvals.evidence('req-stop', [message], [0, 1]),
      );
      // Only b is asked: it commits and waits for a, which never joins.
      const report = coordinator.command(node('b'), 'run', request);
      await backend.waitFor((p) => p.session === request.sessionId && p.from === node('b'));
      const b = cluster.node('b').process!;
      expect(await b.stop('SIGTERM')).toBe(0);
      expect(await report).toMatchObject({ status: 'aborted', code: 'RUNNER_CLOSED' });
      await cluster.start('b');
    },
    STEP_TIMEOUT,
  );

  it(
    'survives a node killed mid-signing; the restarted node will not reuse its nonce',
    async () => {
      const message = newMessage();
      const interrupted = signRequest(
        ['a', 'c'],
        ['p1', 'p3'],
        message,
        approvals.evidence('req-5', [message], [0, 1]),
      );
      // c alone starts: it commits to its nonces (persisted, broadcast) and waits for a.
      const cReport = coordinator.command(node('c'), 'run', interrupted).catch(() => undefined);
      await backend.waitFor(
        (p) =>
          p.session === interrupted.sessionId && p.from === node('c') && p.kind === 'broadcast',
      );
      const killed = cluster.node('c').process!;
      await killed.stop('SIGKILL');
      void cReport;
      // a joins the interrupted session: it never gets c's share and names c after the deadline.
      const aReport = coordinator.command(node('a'), 'run', interrupted);
      // Meanwhile another authorised quorum (a, b) signs the same message in a new session.
      const fresh = signRequest(
        ['a', 'b'],
        ['p1', 'p2'],
        message,
        approvals.evidence('req-6', [message], [1, 2]),
      );
      const output = agreedOutput<FrostOutput>(await coordinator.run(fresh));
      expect(
        ed25519.verify(
          hexToBytes(output.signature),
          hexToBytes(message),
          hexToBytes(key.publicKey),
        ),
      ).toBe(true);
      expect(await aReport).toMatchObject({ status: 'aborted', code: 'TIMEOUT', culprits: ['p3'] });
      // c restarts: the interrupted session can be neither re-run nor resumed.
      await cluster.start('c');
      const rerun = await coordinator.command(node('c'), 'run', interrupted);
      expect(rerun).toMatchObject({ status: 'aborted', code: 'SESSION_REPLAYED' });
      const resumed = await coordinator.command(node('c'), 'resume', interrupted);
      expect(resumed.status).toBe('aborted');
      expect(['NOT_RESUMABLE', 'STATE_CONSUMED']).toContain(
        resumed.status === 'aborted' ? resumed.code : '',
      );
      // c's share is intact: it signs with b in a new session.
      const again = newMessage();
      const withC = signRequest(
        ['b', 'c'],
        ['p2', 'p3'],
        again,
        approvals.evidence('req-7', [again], [0, 2]),
      );
      const signed = agreedOutput<FrostOutput>(await coordinator.run(withC));
      expect(
        ed25519.verify(hexToBytes(signed.signature), hexToBytes(again), hexToBytes(key.publicKey)),
      ).toBe(true);
    },
    STEP_TIMEOUT,
  );
});
