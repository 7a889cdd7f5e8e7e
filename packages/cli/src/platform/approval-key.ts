/**
 * Ed25519 approval keys held by the CLI (packages/node APPROVALS.md, scheme `ed25519`): the
 * secret half stays in a JSON file (mode 0600) that names the API key it belongs to; the
 * public half is registered with the API key (`approvalPublicKey`), and a vault created
 * afterwards lists it in its genesis policy. An approval is Ed25519 (RFC 8032) over the UTF-8
 * bytes of the canonical approval payload — which the CLI rebuilds itself from the request's
 * id, vault, digest and policy version and compares with the server's copy before signing, so
 * it never signs something other than what it was shown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@coffer/crypto';
import {
  expectedDecisionPayload,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  type Approval,
  type Decision,
  type PolicyVersion,
  type SignatureRequest,
} from '@coffer/protocol';
import { CliError } from '../cli-error.js';

export interface ApprovalKeyFile {
  readonly v: 1;
  /** The approver key id the vault's policy knows it by: the API key's id. */
  readonly keyId: string;
  readonly scheme: 'ed25519';
  readonly publicKey: string;
  readonly secretKey: string;
}

export function newApprovalKey(): { publicKey: string; secretKey: string } {
  const { secretKey, publicKey } = ed25519.keygen();
  return { publicKey: bytesToHex(publicKey), secretKey: bytesToHex(secretKey) };
}

export function writeApprovalKey(file: string, key: ApprovalKeyFile): void {
  writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export function readApprovalKey(file: string): ApprovalKeyFile {
  let value: Partial<ApprovalKeyFile>;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as Partial<ApprovalKeyFile>;
  } catch {
    throw new CliError(`cannot read the approval key file ${file}`);
  }
  const hex64 = /^[0-9a-f]{64}$/;
  if (
    value.v !== 1 ||
    value.scheme !== 'ed25519' ||
    typeof value.keyId !== 'string' ||
    !hex64.test(value.publicKey ?? '') ||
    !hex64.test(value.secretKey ?? '')
  ) {
    throw new CliError(`${file} is not a coffer approval key file`);
  }
  const key = value as ApprovalKeyFile;
  if (bytesToHex(ed25519.getPublicKey(hexToBytes(key.secretKey))) !== key.publicKey) {
    throw new CliError(`${file}: the secret key does not match its public key`);
  }
  return key;
}

const signed = (key: ApprovalKeyFile, payload: string): Approval => ({
  approverKeyId: key.keyId,
  scheme: 'ed25519',
  signature: bytesToHex(ed25519.sign(new TextEncoder().encode(payload), hexToBytes(key.secretKey))),
});

/**
 * Signs a decision on a request after checking the server's payload is the one the request's
 * own fields imply (`expectedDecisionPayload`).
 */
export function approve(
  key: ApprovalKeyFile,
  request: SignatureRequest,
  decision: Decision = 'approve',
): Approval {
  const expected = expectedDecisionPayload(request, decision);
  const given = decision === 'approve' ? request.approvalPayload : request.rejectionPayload;
  if (expected !== given) {
    throw new CliError(
      `refusing to ${decision} ${request.id}: the server's payload is not the one the request implies`,
    );
  }
  return signed(key, expected);
}

/**
 * Signs a decision on a policy version after hashing the document itself: what is signed is
 * the hash of the document this CLI shows, never a hash the server merely states.
 */
export function decidePolicyVersion(
  key: ApprovalKeyFile,
  version: PolicyVersion,
  decision: Decision,
): Approval {
  const hash = publishedPolicyHash(version.document);
  if (hash !== version.hash || version.document.orgId !== version.orgId) {
    throw new CliError(
      `refusing to ${decision} policy version ${version.policyVersion}: its hash is not its document's`,
    );
  }
  return signed(
    key,
    policyApprovalPayloadJson({
      orgId: version.orgId,
      policyVersion: version.document.policyVersion,
      hash,
      decision,
    }),
  );
}
