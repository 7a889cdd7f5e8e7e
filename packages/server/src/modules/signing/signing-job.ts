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
 * Not retried: each node consumes the approvals when it admits the session (APPROVALS.md
 * "Replay"), so a failed attempt needs a new request and new approvals.
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

/** The signers: a minimal authorised set of the vault's parties whose nodes are connected. */
function chooseSigners(
  vault: Vault,
  coordinator: Coordinator,
): { participants: Record<string, string> } | { failure: Failure } {
  const structure = AccessStructure.parse(vault.structure);
  const entries = Object.entries(vault.parties);
  const connected = entries.filter(([, node]) => coordinator.isConnected(node)).map(([p]) => p);
  if (!structure.isAuthorized(connected)) {
    const down = entries.filter(([p]) => !connected.includes(p)).map(([, node]) => node);
    return {
      failure: {
        reason:
          `not enough connected nodes to satisfy ${structure.describe()}: ` +
          `not connected: ${down.join(', ')}`,
        culprits: down.sort(),
      },
    };
  }
  const signers = structure.select(connected);
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
  key: VaultKey,
  participants: Record<string, string>,
): SessionRequest {
  const { view } = request;
  const evidence = {
    version: 1,
    requestId: view.id,
    vaultId: view.vaultId,
    digests: [view.digest],
    policyVersion: view.policyVersion,
    approvals: request.approvals,
  };
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
): Promise<Attempt> {
  const { coordinator } = opts;
  if (!coordinator) return { failure: { reason: 'the coordinator is not running', culprits: [] } };
  const key = vault.keys.find((k) => k.scheme === request.view.scheme && k.status === 'completed');
  if (!key) return { failure: { reason: 'the vault has no key for this scheme', culprits: [] } };
  const chosen = chooseSigners(vault, coordinator);
  if ('failure' in chosen) return chosen;
  const { participants } = chosen;
  let outcomes;
  try {
    const session = signingSession(request, key, participants);
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

export function signingJob(opts: SigningJobOptions): JobHandler {
  const { db } = opts;
  const fail = (id: string, from: 'approved' | 'signing', failure: Failure) =>
    db.transaction((tx) => setRequestStatus(tx, id, from, 'failed', { failure }));
  return {
    async run(job) {
      const request = await findSignatureRequest(db, { requestId: job.subject });
      if (!request) return;
      const log = opts.logger.child({ requestId: request.view.id, vaultId: request.view.vaultId });
      if (request.view.status === 'signing') {
        // A replica died mid-session: the nodes consumed the approvals, so do not re-run.
        await fail(request.view.id, 'signing', {
          reason: 'the signing session was interrupted; ask again with new approvals',
          culprits: [],
        });
        return;
      }
      if (request.view.status !== 'approved') return;
      const vault = await loadVault(db, request.view.vaultId);
      if (!vault) return;
      const started = await db.transaction((tx) =>
        setRequestStatus(tx, request.view.id, 'approved', 'signing'),
      );
      if (!started) return;
      let outcome: Attempt;
      try {
        outcome = await attempt(opts, request, vault);
      } catch (error) {
        log.error({ err: error }, 'signing error');
        outcome = { failure: { reason: 'internal error', culprits: [] } };
      }
      if ('result' in outcome) {
        await db.transaction((tx) =>
          setRequestStatus(tx, request.view.id, 'signing', 'signed', outcome),
        );
        log.info({ signers: outcome.result.signers }, 'signature request signed');
      } else {
        await fail(request.view.id, 'signing', outcome.failure);
        log.warn({ failure: outcome.failure }, 'signature request failed');
      }
    },
    async giveUp(job) {
      for (const from of ['approved', 'signing'] as const) {
        await fail(job.subject, from, { reason: 'the signing job was abandoned', culprits: [] });
      }
    },
  };
}
