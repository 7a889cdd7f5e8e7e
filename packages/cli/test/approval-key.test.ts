/**
 * The CLI's Ed25519 approval keys (platform/approval-key.ts): the file is written once with
 * mode 0600 and read back only if its secret matches its public key; an approval is Ed25519
 * (RFC 8032) over the canonical approval payload (packages/node APPROVALS.md), and a request
 * whose payload from the server differs from the one its fields imply is refused.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  approvalPayloadJson,
  expectedDecisionPayload,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  requestApprovalPayloadJson,
  type PolicyVersion,
  type SignatureRequest,
} from '@coffer/protocol';
import { describe, expect, it } from 'vitest';
import {
  approve,
  decidePolicyVersion,
  newApprovalKey,
  readApprovalKey,
  writeApprovalKey,
} from '../src/platform/approval-key.js';
import { tempDir } from './run-coffer.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function pendingRequest(payload?: string, policyVersion = 1): SignatureRequest {
  const base = {
    id: `sig_${'1'.repeat(32)}`,
    vaultId: `vlt_${'2'.repeat(32)}`,
    intent: {
      version: 1 as const,
      kind: 'message' as const,
      chain: 'raw',
      asset: 'raw',
      amount: '0',
      source: { vaultId: `vlt_${'2'.repeat(32)}` },
      digests: ['68656c6c6f'],
    },
    policyVersion,
    expiresAt: '2026-01-02T00:00:00.000Z',
  };
  const approvalPayload = payload ?? expectedDecisionPayload(base, 'approve');
  return {
    ...base,
    orgId: `org_${'3'.repeat(32)}`,
    scheme: 'frost-ed25519',
    digest: '68656c6c6f',
    status: 'pending_approval',
    initiator: { kind: 'user', id: `usr_${'4'.repeat(32)}`, role: 'initiator' },
    decision: { outcome: 'require-approvals', ruleId: null, ruleName: null, reasons: [] },
    quorum: 1,
    progress: { state: 'pending', stage: 0, missing: [] },
    approvalPayload,
    challenge: 'x',
    rejectionPayload: expectedDecisionPayload(base, 'reject'),
    rejectionChallenge: 'x',
    approvals: [],
    result: null,
    failure: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('approval key files', () => {
  it('are written once with mode 0600 and read back', () => {
    const file = join(tempDir(), 'approver.json');
    const key = {
      v: 1 as const,
      keyId: `key_${'a'.repeat(32)}`,
      scheme: 'ed25519' as const,
      ...newApprovalKey(),
    };
    writeApprovalKey(file, key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readApprovalKey(file)).toEqual(key);
    expect(() => writeApprovalKey(file, key)).toThrow(/EEXIST/);
  });

  it('refuse a file whose secret does not match its public key, or no key at all', () => {
    const dir = tempDir();
    const mismatched = join(dir, 'mismatched.json');
    const other = newApprovalKey();
    writeFileSync(
      mismatched,
      JSON.stringify({
        v: 1,
        keyId: 'k',
        scheme: 'ed25519',
        publicKey: other.publicKey,
        secretKey: newApprovalKey().secretKey,
      }),
    );
    expect(() => readApprovalKey(mismatched)).toThrow(/does not match its public key/);
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"v":2}');
    expect(() => readApprovalKey(garbage)).toThrow(/not a coffer approval key file/);
    expect(() => readApprovalKey(join(dir, 'missing.json'))).toThrow(/cannot read/);
  });

  it('sign the canonical approval payload, verifiable with the public key', () => {
    const key = { v: 1 as const, keyId: 'key-1', scheme: 'ed25519' as const, ...newApprovalKey() };
    const request = pendingRequest();
    const approval = approve(key, request);
    expect(approval).toMatchObject({ approverKeyId: 'key-1', scheme: 'ed25519' });
    const signature = Buffer.from((approval as { signature: string }).signature, 'hex');
    const payload = new TextEncoder().encode(request.approvalPayload);
    expect(ed25519.verify(signature, payload, Buffer.from(key.publicKey, 'hex'))).toBe(true);
    expect(hex(signature)).toHaveLength(128);
  });

  it('sign the published-policy payload (intent hash, expiry) for a request of version ≥ 2', () => {
    const key = { v: 1 as const, keyId: 'key-1', scheme: 'ed25519' as const, ...newApprovalKey() };
    const request = pendingRequest(undefined, 2);
    expect(JSON.parse(request.approvalPayload)).toMatchObject({
      type: 'coffer.request-approval.v2',
      expiresAt: request.expiresAt,
    });
    const approval = approve(key, request) as { signature: string };
    const payload = new TextEncoder().encode(request.approvalPayload);
    expect(
      ed25519.verify(
        Buffer.from(approval.signature, 'hex'),
        payload,
        Buffer.from(key.publicKey, 'hex'),
      ),
    ).toBe(true);
    // A v1 payload is not what a version-2 request implies.
    const v1 = approvalPayloadJson({
      requestId: request.id,
      vaultId: request.vaultId,
      digests: request.intent.digests,
      policyVersion: 2,
    });
    expect(() => approve(key, pendingRequest(v1, 2))).toThrow(/refusing to approve/);
    const otherExpiry = requestApprovalPayloadJson({
      requestId: request.id,
      vaultId: request.vaultId,
      digests: request.intent.digests,
      policyVersion: 2,
      intentHash: '00'.repeat(32),
      expiresAt: request.expiresAt,
      decision: 'approve',
    });
    expect(() => approve(key, pendingRequest(otherExpiry, 2))).toThrow(/refusing to approve/);
  });

  it('refuse to approve a payload other than the one the request implies', () => {
    const key = { v: 1 as const, keyId: 'key-1', scheme: 'ed25519' as const, ...newApprovalKey() };
    const forged = approvalPayloadJson({
      requestId: `sig_${'1'.repeat(32)}`,
      vaultId: `vlt_${'2'.repeat(32)}`,
      digests: ['deadbeef'],
      policyVersion: 1,
    });
    expect(() => approve(key, pendingRequest(forged))).toThrow(/refusing to approve/);
  });

  it('sign a policy version only when its hash is its document’s', () => {
    const key = { v: 1 as const, keyId: 'key-1', scheme: 'ed25519' as const, ...newApprovalKey() };
    const document = {
      version: 1 as const,
      orgId: `org_${'3'.repeat(32)}`,
      policyVersion: 2,
      previousHash: null,
      policy: { version: 1 as const, policyVersion: 2, rules: [], groups: [] },
      directory: { members: [], approvers: [], externalApprovers: [] },
    };
    const version = {
      orgId: document.orgId,
      policyVersion: 2,
      hash: publishedPolicyHash(document),
      document,
    } as unknown as PolicyVersion;
    const approval = decidePolicyVersion(key, version, 'approve') as { signature: string };
    const payload = policyApprovalPayloadJson({
      orgId: document.orgId,
      policyVersion: 2,
      hash: version.hash,
      decision: 'approve',
    });
    expect(
      ed25519.verify(
        Buffer.from(approval.signature, 'hex'),
        new TextEncoder().encode(payload),
        Buffer.from(key.publicKey, 'hex'),
      ),
    ).toBe(true);
    const lying = { ...version, hash: '00'.repeat(32) };
    expect(() => decidePolicyVersion(key, lying, 'approve')).toThrow(/hash is not its document/);
  });
});
