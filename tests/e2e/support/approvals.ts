/**
 * System-test support for the approval gate (packages/node APPROVALS.md): an admin who
 * signs the approval policy (three Ed25519 approvers, quorum two, for one vault), the
 * `enrolment.approvals` section every node is configured with, and signing evidence built
 * the way the server will build it — approvals are Ed25519 signatures over the canonical
 * approval payload — plus the forgeries the nodes must refuse.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { approvalPayloadBytes, signApprovalPolicy } from '@coffer/node';
import type { ApprovalPolicy } from '@coffer/node';

export const VAULT_ID = 'vault-e2e';
const POLICY_VERSION = 1;

interface KeyPair {
  readonly keyId: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

function keyPair(keyId: string): KeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { keyId, secretKey, publicKey };
}

export class ApprovalFixture {
  readonly admin = keyPair('admin-1');
  readonly approvers = [keyPair('approver-1'), keyPair('approver-2'), keyPair('approver-3')];
  readonly policy: ApprovalPolicy = {
    version: 1,
    vaultId: VAULT_ID,
    policyVersion: POLICY_VERSION,
    quorum: 2,
    approvers: this.approvers.map((a) => ({
      keyId: a.keyId,
      scheme: 'ed25519',
      publicKey: bytesToHex(a.publicKey),
    })),
  };

  /** The `enrolment.approvals` config section: the policy signed by the admin roster. */
  enrolment(): unknown {
    return {
      admins: {
        admins: [{ keyId: this.admin.keyId, publicKey: bytesToHex(this.admin.publicKey) }],
        quorum: 1,
      },
      signedPolicy: {
        policy: this.policy,
        signatures: [signApprovalPolicy(this.policy, this.admin.keyId, this.admin.secretKey)],
      },
    };
  }

  /** Evidence approving `digests` (hex), signed by the approvers at `who` (indices). */
  evidence(requestId: string, digests: readonly string[], who: readonly number[]): unknown {
    const body = {
      requestId,
      vaultId: VAULT_ID,
      digests: [...digests],
      policyVersion: POLICY_VERSION,
    };
    const payload = approvalPayloadBytes(body);
    return {
      version: 1,
      ...body,
      approvals: who.map((i) => {
        const approver = this.approvers[i]!;
        return {
          approverKeyId: approver.keyId,
          scheme: 'ed25519',
          signature: bytesToHex(ed25519.sign(payload, approver.secretKey)),
        };
      }),
    };
  }

  /** Evidence whose approvals claim enrolled approver ids but are signed by other keys. */
  forgedEvidence(requestId: string, digests: readonly string[]): unknown {
    const body = {
      requestId,
      vaultId: VAULT_ID,
      digests: [...digests],
      policyVersion: POLICY_VERSION,
    };
    const payload = approvalPayloadBytes(body);
    return {
      version: 1,
      ...body,
      approvals: [0, 1].map((i) => ({
        approverKeyId: this.approvers[i]!.keyId,
        scheme: 'ed25519',
        signature: bytesToHex(ed25519.sign(payload, ed25519.utils.randomSecretKey())),
      })),
    };
  }
}
