/**
 * The runner's broadcast echo check (broadcast-echo.ts; issue 4, "broadcasts get an
 * echo/consistency check"). Pure checks on records from really signed envelopes: equal views
 * pass; two signed bodies for one (sender, seq) blame the sender (EQUIVOCATION); a record
 * the sender never signed blames the echoer (BAD_ECHO); a genuine record of another seq does
 * not frame its sender; a missing record aborts without culprit. Then three in-process nodes
 * sign with FROST while p2's transport equivocates — one round-1 commitment to p1, another
 * (hiding and binding swapped) to p3, both signed under the same seq: both honest nodes abort
 * naming p2, neither consumes its nonce, and no signature share is ever published.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalPolicy } from '../approvals/index.js';
import { directoryOf, type Directory, type LocalNode } from '../transport/identity-types.js';
import {
  Outbox,
  decodeEnvelope,
  type NodeTransport,
  type Relay,
  type SealedEnvelope,
} from '../transport/index.js';
import { makeLocalNode } from '../transport/test-support.js';
import { checkBroadcastEchoes, echoRecordOf, type EchoRecord } from './broadcast-echo.js';
import {
  Cluster,
  approveWithApiKeys,
  captureLogger,
  freshSessionId,
  makeApiKeyApprover,
} from './cluster.testkit.js';
import type { DkgSessionOutput } from './drivers/dkg.js';
import { frostNonceLedgerId } from './drivers/frost-sign.js';
import { SessionAborted } from './errors.js';
import { decodeFrame, encodeFrame, isEchoFrame } from './mailbox.js';
import { SessionRunner, type SessionTransport } from './runner.js';

describe('checkBroadcastEchoes', () => {
  const nodes = ['node-a', 'node-b', 'node-c'].map(makeLocalNode);
  const [a, b, c] = nodes as [LocalNode, LocalNode, LocalNode];
  const directory = directoryOf(nodes.map((n) => n.identity));
  const partyOfNode = new Map([
    ['node-a', 'p1'],
    ['node-b', 'p2'],
    ['node-c', 'p3'],
  ]);
  const session = freshSessionId();
  const record = (node: LocalNode, body: string, seq = 0): EchoRecord => {
    const outbox = new Outbox(node, directory);
    for (let i = 0; i < seq; i += 1) outbox.broadcast(session, Buffer.from('earlier'));
    return echoRecordOf(outbox.broadcast(session, Buffer.from(body)).envelope);
  };
  const check = (own: EchoRecord[], echoes: [string, EchoRecord[]][]) =>
    checkBroadcastEchoes({
      sessionId: session,
      round: 1,
      own,
      echoes: new Map(echoes),
      partyOfNode,
      directory,
    });
  const abortOf = (fn: () => void): SessionAborted => {
    try {
      fn();
    } catch (error) {
      if (error instanceof SessionAborted) return error;
      throw error;
    }
    throw new Error('no abort');
  };
  const ra = record(a, 'from a');
  const rb = record(b, 'from b');
  const rc = record(c, 'from c');

  it('passes when every view holds the same records, in any order', () => {
    expect(() =>
      check(
        [ra, rb, rc],
        [
          ['p2', [rc, ra, rb]],
          ['p3', [rb, rc, ra]],
        ],
      ),
    ).not.toThrow();
  });

  it('names the sender of two signed bodies for one seq (EQUIVOCATION)', () => {
    const other = record(b, 'other body from b');
    expect(
      abortOf(() =>
        check(
          [ra, rb, rc],
          [
            ['p2', [ra, rb, rc]],
            ['p3', [ra, other, rc]],
          ],
        ),
      ),
    ).toMatchObject({ code: 'PROTOCOL_FAULT', reason: 'EQUIVOCATION', culprits: ['p2'] });
  });

  it('names the echoer of a record its sender never signed (BAD_ECHO)', () => {
    const forged = { ...rb, bodyHash: 'ff'.repeat(32) };
    expect(
      abortOf(() =>
        check(
          [ra, rb, rc],
          [
            ['p2', [ra, rb, rc]],
            ['p3', [ra, forged, rc]],
          ],
        ),
      ),
    ).toMatchObject({ code: 'PROTOCOL_FAULT', reason: 'BAD_ECHO', culprits: ['p3'] });
  });

  it('does not frame a sender with its genuine broadcast of another seq', () => {
    const later = record(b, 'b, next round', 1);
    const aborted = abortOf(() =>
      check(
        [ra, rb, rc],
        [
          ['p2', [ra, rb, rc]],
          ['p3', [ra, later, rc]],
        ],
      ),
    );
    expect(aborted).toMatchObject({ code: 'INCONSISTENT_BROADCAST', culprits: [] });
  });

  it('aborts without culprit when a record is missing from a view', () => {
    expect(
      abortOf(() =>
        check(
          [ra, rb, rc],
          [
            ['p2', [ra, rb, rc]],
            ['p3', [ra, rc]],
          ],
        ),
      ),
    ).toMatchObject({ code: 'INCONSISTENT_BROADCAST', culprits: [] });
  });
});

/**
 * p2's transport as a malicious node would run it: its first broadcast (the round-1 FROST
 * commitment) goes as two different envelopes, both signed with seq 0 — the real one to
 * `honest`, one with the hiding and binding commitments swapped to `fooled`.
 */
class EquivocatingTransport implements SessionTransport {
  readonly #outbox: Outbox;
  readonly #twin: Outbox;
  #first = true;

  constructor(
    private readonly inner: NodeTransport,
    local: LocalNode,
    private readonly relay: Relay,
    private readonly honest: string,
    private readonly fooled: string,
  ) {
    this.#outbox = new Outbox(local, inner.directory);
    this.#twin = new Outbox(local, inner.directory);
  }

  get nodeId(): string {
    return this.inner.nodeId;
  }

  get directory(): Directory {
    return this.inner.directory;
  }

  send(session: string, to: string, payload: Uint8Array): Promise<SealedEnvelope> {
    return this.inner.send(session, to, payload);
  }

  async broadcast(session: string, payload: Uint8Array): Promise<SealedEnvelope> {
    const sealed = this.#outbox.broadcast(session, payload);
    if (!this.#first) {
      await this.relay.publish(sealed.bytes, '*');
      return sealed;
    }
    this.#first = false;
    const frame = decodeFrame(payload);
    if (!frame || isEchoFrame(frame)) throw new Error('expected the round-1 commitment');
    const commitment = JSON.parse(frame.payload) as { hiding: string; binding: string };
    const swapped = { ...commitment, hiding: commitment.binding, binding: commitment.hiding };
    const twin = this.#twin.broadcast(session, encodeFrame(frame.round, JSON.stringify(swapped)));
    await this.relay.publish(sealed.bytes, this.honest);
    await this.relay.publish(twin.bytes, this.fooled);
    return sealed;
  }

  listen(...args: Parameters<NodeTransport['listen']>) {
    return this.inner.listen(...args);
  }

  forgetSession(session: string): void {
    this.inner.forgetSession(session);
  }
}

describe('broadcast echo in FROST signing sessions', () => {
  const approvers = [makeApiKeyApprover('alice-key'), makeApiKeyApprover('bob-key')];
  const policy: ApprovalPolicy = {
    version: 1,
    vaultId: 'vault-echo',
    policyVersion: 1,
    quorum: 2,
    approvers: approvers.map((x) => x.enrolment),
  };
  const PARTIES: Record<string, string> = { p1: 'node-a', p2: 'node-b', p3: 'node-c' };
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('every honest signer aborts naming the equivocator; no signature share is released', async () => {
    cluster = await Cluster.start(['node-a', 'node-b', 'node-c'], { approvalPolicy: policy });
    const c = cluster;
    const dkgSession = freshSessionId();
    const [dkg] = await Promise.all(
      Object.values(PARTIES).map((n) =>
        c.node(n).runner.run<DkgSessionOutput>({
          sessionId: dkgSession,
          protocol: 'dkg',
          params: { group: 'secp256k1', structure: '2of(p1,p2,p3)' },
          participants: PARTIES,
        }),
      ),
    );
    const keyId = dkg!.output.keyId;

    // p2 (node-b) runs the ordinary runner over an equivocating transport.
    const b = c.node('node-b');
    b.runner.close();
    b.runner = new SessionRunner({
      transport: new EquivocatingTransport(b.transport, b.local, c.relay, 'node-a', 'node-c'),
      keystore: b.keystore,
      ledger: b.ledger,
      approvalPolicy: policy,
      logger: captureLogger(b.logs),
      roundTimeoutMs: 5_000,
    });
    // Everything published by node-a and node-c, as the relay delivers it to node-b.
    const published: { from: string; round: number; echo: boolean }[] = [];
    const unsubscribe = c.relay.subscribe('node-b', (bytes) => {
      const envelope = decodeEnvelope(bytes);
      const frame = envelope.kind === 'broadcast' ? decodeFrame(envelope.body) : undefined;
      if (frame)
        published.push({ from: envelope.from, round: frame.round, echo: isEchoFrame(frame) });
    });

    const message = '5a'.repeat(32);
    const request = {
      sessionId: freshSessionId(),
      protocol: 'frost-sign' as const,
      params: { suite: 'frost-secp256k1', keyId, message },
      participants: PARTIES,
      evidence: approveWithApiKeys(policy, [message], approvers),
    };
    const outcomes = await Promise.allSettled(
      ['node-a', 'node-b', 'node-c'].map((n) => c.node(n).runner.run(request)),
    );
    unsubscribe();
    for (const [i, party, node] of [
      [0, 'p1', 'node-a'],
      [2, 'p3', 'node-c'],
    ] as const) {
      const outcome = outcomes[i]!;
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        code: 'PROTOCOL_FAULT',
        reason: 'EQUIVOCATION',
        culprits: ['p2'],
      });
      // The nonce was never consumed, so no signature share was computed.
      expect(c.node(node).ledger.has(frostNonceLedgerId(request.sessionId, party))).toBe(false);
      const line = c.node(node).logs.find((l) => l.msg === 'session aborted');
      expect(line).toMatchObject({ reason: 'EQUIVOCATION', culprits: ['p2'] });
    }
    expect(outcomes[1]!.status).toBe('rejected');
    // Honest nodes published their commitment and their echo, and nothing after them.
    for (const node of ['node-a', 'node-c']) {
      const own = published.filter((p) => p.from === node);
      expect(own).toEqual([
        { from: node, round: 1, echo: false },
        { from: node, round: 1, echo: true },
      ]);
    }
  });
});
