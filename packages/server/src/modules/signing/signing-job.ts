/**
 * The background job that signs an approved request (issue 5, item 7). It chooses the
 * signers with the vault's access structure among the nodes connected now (a minimal
 * authorised set, `AccessStructure.select`: a node that is down is simply not chosen while the
 * others still satisfy the structure), sends them the signing session with the evidence —
 * the request and its approvals, which every node verifies against the key's genesis policy
 * itself — and accepts the result only when every signer reported the same signature and it
 * verifies under the vault's key (for Taproot: its BIP341-tweaked output key). The request
 * ends "signed" with the signature, or "failed" with the reason and the nodes blamed.
 *
 * A round that fails naming culprits (a node down, refusing, or faulty) is followed by another
 * round with a fresh session id on an authorised set without them, up to MAX_SIGNING_ROUNDS;
 * every node draws fresh nonces for every session, so a retry never reuses one. A node that
 * already admitted the evidence in an earlier round refuses it again unless that session ended
 * without a signature (packages/node APPROVALS.md "Replay").
 */
import { randomBytes } from 'node:crypto';
import {
  AccessStructure,
  frostVerifyingKey,
  groupByName,
  hexToBytes,
  verifySignature,
  type FrostSuiteName,
} from '@coffer/crypto';
import type { Dkls23SignOutput, FrostSignOutput, SessionRequest } from '@coffer/node';
import type { Failure, SignatureResult, Vault, VaultKey } from '@coffer/protocol';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Logger } from 'pino';
import type { Database } from '../../store/database.js';
import { NodesUnavailableError, type Coordinator } from '../coordinator/coordinator.js';
import { judgeSession } from '../coordinator/session-outcome.js';
import type { JobHandler } from '../jobs/job-runner.js';
import { loadVault } from '../vaults/store.js';
import { appendAudit, SYSTEM_ACTOR } from '../audit/audit-store.js';
import { signingEvidence } from './evidence.js';
import { findSignatureRequest, setRequestStatus, type StoredRequest } from './store.js';

export const SIGNING_JOB = 'signature-request';

export interface SigningJobOptions {
  readonly db: Database;
  readonly coordinator: Coordinator | undefined;
  readonly logger: Logger;
  /** Bound on one signing session (default 60 s). */
  readonly sessionTimeoutMs?: number;
}

type Attempt = { result: SignatureResult } | { failure: Failure };

/**
 * The signers: a minimal authorised set of the vault's parties whose nodes are connected and
 * not `excluded` (blamed in an earlier round of this request).
 */
function chooseSigners(
  vault: Vault,
  coordinator: Coordinator,
  excluded: ReadonlySet<string>,
): { participants: Record<string, string> } | { failure: Failure } {
  const structure = AccessStructure.parse(vault.structure);
  const entries = Object.entries(vault.parties);
  const usable = entries
    .filter(([, node]) => coordinator.isConnected(node) && !excluded.has(node))
    .map(([p]) => p);
  if (!structure.isAuthorized(usable)) {
    const down = entries.filter(([p]) => !usable.includes(p)).map(([, node]) => node);
    return {
      failure: {
        reason:
          `not enough connected nodes to satisfy ${structure.describe()}: ` +
          `not connected or blamed before: ${down.join(', ')}`,
        culprits: down.sort(),
      },
    };
  }
  const signers = structure.select(usable);
  return { participants: Object.fromEntries(signers.map((p) => [p, vault.parties[p]!])) };
}

/** The key the vault's signatures verify under: tweaked x-only for Taproot (BIP341). */
function expectedVerifyingKey(key: VaultKey): string {
  if (key.scheme === 'ecdsa-secp256k1') return key.publicKey!;
  const group = groupByName(key.scheme === 'frost-ed25519' ? 'ed25519' : 'secp256k1');
  const publicKey = group.decodePoint(hexToBytes(key.publicKey!));
  const options = key.scheme === 'frost-taproot' ? { tweak: {} } : {};
  return bytesToHex(frostVerifyingKey(key.scheme, { group, publicKey }, options));
}

function signingSession(
  request: StoredRequest,
  evidence: unknown,
  key: VaultKey,
  participants: Record<string, string>,
): SessionRequest {
  const { view } = request;
  const base = { sessionId: randomBytes(32).toString('hex'), participants, evidence };
  return key.scheme === 'ecdsa-secp256k1'
    ? { ...base, protocol: 'dkls23-sign', params: { keyId: key.keyId, digest: view.digest } }
    : {
        ...base,
        protocol: 'frost-sign',
        params: { suite: key.scheme, keyId: key.keyId, message: view.digest },
      };
}

async function attempt(
  opts: SigningJobOptions,
  request: StoredRequest,
  vault: Vault,
  evidence: unknown,
  excluded: ReadonlySet<string>,
): Promise<Attempt> {
  const { coordinator } = opts;
  if (!coordinator) return { failure: { reason: 'the coordinator is not running', culprits: [] } };
  const key = vault.keys.find((k) => k.scheme === request.view.scheme && k.status === 'completed');
  if (!key) return { failure: { reason: 'the vault has no key for this scheme', culprits: [] } };
  const chosen = chooseSigners(vault, coordinator, excluded);
  if ('failure' in chosen) return chosen;
  const { participants } = chosen;
  let outcomes;
  try {
    const session = signingSession(request, evidence, key, participants);
    outcomes = await coordinator.runSession(session, opts.sessionTimeoutMs ?? 60_000);
  } catch (error) {
    if (!(error instanceof NodesUnavailableError)) throw error;
    return { failure: { reason: error.message, culprits: [...error.nodeIds].sort() } };
  }
  const verdict = judgeSession<FrostSignOutput | Dkls23SignOutput>(outcomes, participants);
  if (!verdict.ok) return { failure: verdict.failure };
  const signers = Object.values(participants).sort();
  const digest = hexToBytes(request.view.digest);
  const publicKey = expectedVerifyingKey(key);
  const output = verdict.output;
  let valid: boolean;
  let recoveryId: number | null = null;
  if ('recovery' in output) {
    recoveryId = output.recovery;
    valid =
      output.publicKey === publicKey &&
      secp256k1.verify(hexToBytes(output.signature), digest, hexToBytes(publicKey), {
        prehash: false,
      });
  } else {
    valid =
      output.verifyingKey === publicKey &&
      verifySignature(
        key.scheme as FrostSuiteName,
        hexToBytes(output.signature),
        digest,
        hexToBytes(publicKey),
      );
  }
  if (!valid) {
    return {
      failure: { reason: "the signature does not verify under the vault's key", culprits: signers },
    };
  }
  return { result: { signature: output.signature, recoveryId, publicKey, signers } };
}

/** Rounds of one request before it fails: each with other nodes if some were blamed. */
export const MAX_SIGNING_ROUNDS = 3;

export function signingJob(opts: SigningJobOptions): JobHandler {
  const { db } = opts;
  const fail = (id: string, from: 'approved' | 'signing', failure: Failure) =>
    db.transaction((tx) => setRequestStatus(tx, id, from, 'failed', { failure }));
  return {
    async run(job) {
      const request = await findSignatureRequest(db, { requestId: job.subject });
      if (!request) return;
      const { view } = request;
      const log = opts.logger.child({ requestId: view.id, vaultId: view.vaultId });
      if (view.status !== 'approved' && view.status !== 'signing') return;
      const vault = await loadVault(db, view.vaultId);
      if (!vault) return;
      if (request.expiresAt.getTime() <= Date.now()) {
        // The nodes refuse approvals past the request's expiry: do not start a session.
        await db.transaction((tx) => setRequestStatus(tx, view.id, view.status, 'expired'));
        return;
      }
      // `signing` already: a replica stopped mid-session and the monitor queued this job again.
      if (view.status === 'approved') {
        const started = await db.transaction((tx) =>
          setRequestStatus(tx, view.id, 'approved', 'signing'),
        );
        if (!started) return;
      }
      const evidence = await signingEvidence(db, request);
      const excluded = new Set<string>();
      for (let round = 1; ; round++) {
        let outcome: Attempt;
        try {
          outcome = await attempt(opts, request, vault, evidence, excluded);
        } catch (error) {
          log.error({ err: error }, 'signing error');
          outcome = { failure: { reason: 'internal error', culprits: [] } };
        }
        if ('result' in outcome) {
          await db.transaction((tx) => setRequestStatus(tx, view.id, 'signing', 'signed', outcome));
          log.info({ signers: outcome.result.signers, round }, 'signature request signed');
          return;
        }
        const blamed = outcome.failure.culprits.filter((c) => !excluded.has(c));
        if (round >= MAX_SIGNING_ROUNDS || blamed.length === 0) {
          await fail(view.id, 'signing', outcome.failure);
          log.warn({ failure: outcome.failure, round }, 'signature request failed');
          return;
        }
        // Another round without the blamed nodes: a new session id, fresh nonces on every node.
        for (const node of blamed) excluded.add(node);
        await db.transaction((tx) =>
          appendAudit(tx, {
            chain: view.orgId,
            actor: SYSTEM_ACTOR,
            action: 'signature.retrying',
            subject: view.id,
            details: { round, reason: outcome.failure.reason, culprits: blamed },
          }),
        );
        log.warn(
          { failure: outcome.failure, round },
          'signing round failed; retrying without the blamed nodes',
        );
      }
    },
    async giveUp(job) {
      for (const from of ['approved', 'signing'] as const) {
        await fail(job.subject, from, { reason: 'the signing job was abandoned', culprits: [] });
      }
    },
  };
}
