/**
 * The CLI's Ed25519 approval keys (platform/approval-key.ts): the file is written once with
 * mode 0600 and read back only if its secret matches its public key; an approval is Ed25519
 * (RFC 8032) over the canonical approval payload (packages/node APPROVALS.md), and a request
 * whose payload from the server differs from the one its fields imply is refused.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { approvalPayloadJson, type SignatureRequest } from '@coffer/protocol';
import { describe, expect, it } from 'vitest';
import {
  approve,
  newApprovalKey,
  readApprovalKey,
  writeApprovalKey,
} from '../src/platform/approval-key.js';
import { tempDir } from './run-coffer.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function pendingRequest(payload?: string): SignatureRequest {
  const fields = {
    requestId: `sig_${'1'.repeat(32)}`,
    vaultId: `vlt_${'2'.repeat(32)}`,
    digests: ['68656c6c6f'],
    policyVersion: 1,
  };
  const approvalPayload = payload ?? approvalPayloadJson(fields);
  return {
    id: fields.requestId,
    orgId: `org_${'3'.repeat(32)}`,
    vaultId: fields.vaultId,
    scheme: 'frost-ed25519',
    digest: '68656c6c6f',
    status: 'pending_approval',
    policyVersion: 1,
    quorum: 1,
    approvalPayload,
    challenge: 'x',
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
});
