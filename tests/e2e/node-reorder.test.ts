/**
 * System test of a reordering relay and of evidence replay across two real `coffer node`
 * processes (issue 4, "Tests": "a relay that … reorders messages is detected"; APPROVALS.md
 * "Replay"). After a 2-of-2 DKG, the relay swaps two consecutive envelopes of node b to
 * node a in a FROST signing session — b's round-1 commitment (seq 0) is held back and
 * delivered right after b's next broadcast, its echo (seq 1). Node a's inbox rejects the
 * early one as OUT_OF_ORDER (logged, naming b as the claimed sender), never acts on a
 * tampered order, and the session ends without a signature on either node (a names b when
 * the echo never arrives in order). Re-presenting that session's approvals in new sessions
 * signs (the restart the server's monitor relies on; fresh nonces each time) until the
 * approvals have admitted SESSIONS_PER_APPROVAL sessions; then both nodes refuse them as
 * EVIDENCE_REPLAYED. A clean session with new approvals signs.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_PER_APPROVAL } from '@coffer/node';
import { ApprovalFixture } from './support/approvals.js';
import { Cluster } from './support/cluster.js';
import { TestCoordinator, agreedOutput, coordinatorIdentity } from './support/coordinator.js';
import type { E2eSessionRequest } from './support/coordinator.js';
import { ObservedRelay } from './support/observed-relay.js';
import type { Interceptor } from './support/observed-relay.js';

const STEP_TIMEOUT = 60_000;
/** Short: the reordered session ends by its round deadline. */
const ROUND_TIMEOUT_MS = 1_500;

interface DkgOutput {
  readonly keyId: string;
  readonly publicKey: string;
}
interface FrostOutput {
  readonly signature: string;
  readonly verifyingKey: string;
}

const newSessionId = () => randomBytes(16).toString('hex');
const newMessage = () => randomBytes(32).toString('hex');

/** The log lines of `name`'s process with message `msg`, once `enough` holds (bounded wait). */
async function logsOf(
  cluster: Cluster,
  name: string,
  msg: string,
  enough: (lines: Record<string, unknown>[]) => boolean,
  timeoutMs = 5_000,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = cluster.node(name).process!.logs(msg);
    if (enough(lines) || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Holds the first envelope `from` publishes in `session` and forwards it right after that
 * sender's next envelope on the same channel: two consecutive envelopes swapped.
 */
function swapFirstTwo(session: string, from: string): Interceptor {
  let held: { to: string; bytes: Uint8Array } | undefined;
  let done = false;
  return (p, bytes) => {
    if (done || p.session !== session || p.from !== from) return [bytes];
    if (held === undefined) {
      held = { to: p.to, bytes };
      return [];
    }
    if (p.to !== held.to) return [bytes];
    done = true;
    return [bytes, held.bytes];
  };
}

describe('coffer node: a reordering relay is detected; approvals are single use', () => {
  const approvals = new ApprovalFixture();
  const coordinatorId = coordinatorIdentity();
  let backend: ObservedRelay;
  let cluster: Cluster;
  let coordinator: TestCoordinator;
  let node: (name: string) => string;
  let key: DkgOutput;

  const signRequest = (message: string, evidence: unknown): E2eSessionRequest => ({
    sessionId: newSessionId(),
    protocol: 'frost-sign',
    params: { suite: 'frost-ed25519', keyId: key.keyId, message },
    participants: { p1: node('a'), p2: node('b') },
    evidence,
  });

  beforeAll(async () => {
    const keyBase64 = randomBytes(32).toString('base64');
    cluster = await Cluster.create(
      ['a', 'b'].map((name) => ({
        name,
        setup: { provider: 'kms', keyBase64, keyId: `e2e-reorder-${name}` },
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
    key = agreedOutput<DkgOutput>(
      await coordinator.run({
        sessionId: newSessionId(),
        protocol: 'dkg',
        params: { group: 'ed25519', structure: '2of(p1,p2)' },
        participants: { p1: node('a'), p2: node('b') },
      }),
    );
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await coordinator?.close();
    await cluster?.close(backend);
  }, STEP_TIMEOUT);

  it(
    'rejects swapped envelopes as OUT_OF_ORDER, signs nothing; a restart signs; spent approvals are refused',
    async () => {
      const message = newMessage();
      const evidence = approvals.evidence('req-reorder', [message], [0, 1]);
      const request = signRequest(message, evidence);
      backend.interceptor = swapFirstTwo(request.sessionId, node('b'));
      let reports;
      try {
        reports = await coordinator.run(request);
      } finally {
        backend.interceptor = undefined;
      }
      // No node signed from the tampered order; a names b, whose echo never arrived in order.
      for (const report of reports.values()) expect(report.status).toBe('aborted');
      expect(reports.get(node('a'))).toMatchObject({ code: 'TIMEOUT', culprits: ['p2'] });
      const outOfOrder = (l: Record<string, unknown>) =>
        l.code === 'OUT_OF_ORDER' && l.sender === node('b');
      const rejected = await logsOf(cluster, 'a', 'transport rejected a message', (lines) =>
        lines.some(outOfOrder),
      );
      expect(rejected.some(outOfOrder)).toBe(true);
      for (const name of ['a', 'b']) {
        const completed = cluster.node(name).process!.logs('session completed');
        expect(completed.filter((l) => l.sessionId === request.sessionId)).toEqual([]);
      }

      // The same approvals in new sessions: the failed one signed nothing, so a restart signs.
      for (let session = 1; session < SESSIONS_PER_APPROVAL; session++) {
        const restarted = agreedOutput<FrostOutput>(
          await coordinator.run(signRequest(message, evidence)),
        );
        expect(
          ed25519.verify(
            hexToBytes(restarted.signature),
            hexToBytes(message),
            hexToBytes(key.publicKey),
          ),
        ).toBe(true);
      }
      // Every use spent: both nodes refuse.
      const replayed = await coordinator.run(signRequest(message, evidence));
      for (const report of replayed.values()) {
        expect(report).toMatchObject({
          status: 'aborted',
          code: 'EVIDENCE_REFUSED',
          reason: 'EVIDENCE_REPLAYED',
        });
      }
      for (const name of ['a', 'b']) {
        const refused = await logsOf(
          cluster,
          name,
          'signing request refused: evidence already used',
          (lines) => lines.length > 0,
        );
        expect(refused).toMatchObject([{ requestId: 'req-reorder', reason: 'EVIDENCE_REPLAYED' }]);
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'then signs in a clean session with new approvals',
    async () => {
      const message = newMessage();
      const output = agreedOutput<FrostOutput>(
        await coordinator.run(
          signRequest(message, approvals.evidence('req-clean', [message], [1, 2])),
        ),
      );
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
});
