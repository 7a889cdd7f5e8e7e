/**
 * Test support for evidence v2 (verify-evidence-v2.ts; APPROVALS.md "Evidence v2"), not
 * exported: real approval keys — Ed25519 API keys (RFC 8032) and WebAuthn ES256 passkeys whose
 * assertions are built as a browser returns them (user verification set) — a genesis with three
 * admins (two of them one person's keys, one a passkey), a published version 2 with a sanctions
 * block, an external AML check for contract calls, an allow rule for small amounts and two
 * sequential stages (a teller, then a manager) above, and a builder for evidence over it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  externalDecisionPayloadJson,
  intentHash,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  requestApprovalPayloadJson,
  type Intent,
  type PolicyApprover,
  type PolicyDocument,
  type PublishedPolicy,
  type SigningEvidenceV2,
} from '@coffer/protocol';
import type { Approval } from './evidence.js';
import type { VaultGenesis } from './genesis.js';
import { base64urlEncode } from './webauthn.js';

export const RP_ID = 'coffer.example';

/** An approval key with its owner, able to approve any payload the way its client would. */
export interface Signer {
  readonly keyId: string;
  readonly principal: string;
  readonly enrolment: PolicyApprover & { readonly principal: string };
  approve(payload: string): Approval;
}

/** An API key: Ed25519 over the payload bytes. */
export function apiKey(keyId: string, principal: string): Signer {
  const { secretKey, publicKey } = ed25519.keygen();
  return {
    keyId,
    principal,
    enrolment: { keyId, scheme: 'ed25519', publicKey: bytesToHex(publicKey), principal },
    approve: (payload) => ({
      approverKeyId: keyId,
      scheme: 'ed25519',
      signature: bytesToHex(ed25519.sign(utf8ToBytes(payload), secretKey)),
    }),
  };
}

/** A passkey: a WebAuthn assertion, challenge SHA-256(payload), UP and UV (or `flags`). */
export function passkey(keyId: string, principal: string, flags = 0x05): Signer {
  const secretKey = p256.utils.randomSecretKey();
  return {
    keyId,
    principal,
    enrolment: {
      keyId,
      scheme: 'webauthn-es256',
      publicKey: bytesToHex(p256.getPublicKey(secretKey, true)),
      rpId: RP_ID,
      origins: [`https://${RP_ID}`],
      principal,
    },
    approve(payload) {
      const clientData = utf8ToBytes(
        JSON.stringify({
          type: 'webauthn.get',
          challenge: base64urlEncode(sha256(utf8ToBytes(payload))),
          origin: `https://${RP_ID}`,
          crossOrigin: false,
        }),
      );
      const authData = concatBytes(
        sha256(utf8ToBytes(RP_ID)),
        Uint8Array.of(flags),
        new Uint8Array(4),
      );
      const der = p256.sign(concatBytes(authData, sha256(clientData)), secretKey, {
        format: 'der',
      });
      return {
        approverKeyId: keyId,
        scheme: 'webauthn-es256',
        signature: base64urlEncode(der),
        authenticatorData: base64urlEncode(authData),
        clientDataJSON: base64urlEncode(clientData),
      };
    },
  };
}

export const adminA = apiKey('key-a', 'usr-a');
/** Admin A's second key: the same person. */
export const adminA2 = apiKey('key-a2', 'usr-a');
export const adminB = apiKey('key-b', 'usr-b');
export const adminC = passkey('pk-c', 'usr-c');
export const teller = apiKey('key-t', 'usr-t');
export const tellerPasskey = passkey('pk-t', 'usr-t');
export const teller2 = passkey('pk-u', 'usr-u');
export const stranger = apiKey('key-x', 'usr-x');
/** The AML endpoint's answer key (Ed25519). */
export const aml = ed25519.keygen();

export const genesis: VaultGenesis = {
  v: 1,
  vaultId: 'vlt-1',
  orgId: 'org-1',
  policy: {
    version: 1,
    vaultId: 'vlt-1',
    policyVersion: 1,
    quorum: 2,
    approvers: [adminA, adminA2, adminB, adminC].map((s) => s.enrolment),
  },
};

export const SANCTIONED = '0x' + 'dd'.repeat(20);
export const policy: PolicyDocument = {
  version: 1,
  policyVersion: 2,
  groups: [
    { id: 'tellers', name: 'Tellers', members: { users: ['usr-t', 'usr-u'] }, quorum: 1 },
    { id: 'pair', name: 'Two tellers', members: { users: ['usr-t', 'usr-u'] }, quorum: 2 },
    { id: 'managers', name: 'Managers', members: { roles: ['admin'] }, quorum: 1 },
  ],
  rules: [
    {
      id: 'sanctions',
      name: 'Sanctions',
      conditions: { destination: { type: 'allow-list', addresses: [SANCTIONED] } },
      action: { type: 'block' },
    },
    {
      id: 'calls',
      name: 'Contract calls: AML',
      conditions: { kinds: ['contract_call'] },
      action: {
        type: 'require-approvals',
        stages: [{ type: 'external', endpointId: 'aml', timeoutSeconds: 60, onTimeout: 'fail' }],
      },
    },
    {
      id: 'small',
      name: 'Small',
      conditions: { amount: { max: '100' } },
      action: { type: 'allow' },
    },
    {
      id: 'medium',
      name: 'Two tellers',
      conditions: { amount: { max: '1000' } },
      action: {
        type: 'require-approvals',
        stages: [{ type: 'approvers', requirement: { group: 'pair' } }],
      },
    },
    {
      id: 'large',
      name: 'Teller then manager',
      conditions: {},
      action: {
        type: 'require-approvals',
        stages: [
          { type: 'approvers', requirement: { group: 'tellers' } },
          { type: 'approvers', requirement: { group: 'managers' } },
        ],
      },
    },
  ],
};

export const published = (overrides: Partial<PublishedPolicy> = {}): PublishedPolicy => ({
  version: 1,
  orgId: 'org-1',
  policyVersion: 2,
  previousHash: null,
  policy,
  directory: {
    members: [
      { id: 'usr-a', role: 'admin' },
      { id: 'usr-b', role: 'admin' },
      { id: 'usr-c', role: 'admin' },
      { id: 'usr-t', role: 'approver' },
      { id: 'usr-u', role: 'approver' },
      { id: 'usr-i', role: 'initiator' },
    ],
    approvers: [adminA, adminB, adminC, teller, tellerPasskey, teller2].map((s) => s.enrolment),
    externalApprovers: [{ endpointId: 'aml', publicKey: bytesToHex(aml.publicKey) }],
  },
  ...overrides,
});

/** The genesis admins' approvals of publishing `doc`. */
export const versionApprovals = (doc: PublishedPolicy, signers: readonly Signer[]) =>
  signers.map((s) =>
    s.approve(
      policyApprovalPayloadJson({
        orgId: doc.orgId,
        policyVersion: doc.policyVersion,
        hash: publishedPolicyHash(doc),
        decision: 'approve',
      }),
    ),
  );

export const DIGEST = 'ab'.repeat(32);
export const CREATED = '2026-11-22T10:00:00.000Z';
export const EXPIRES = '2026-11-23T10:00:00.000Z';
export const NOW = new Date('2026-11-22T12:00:00.000Z');
export const T1 = '2026-11-22T10:05:00.000Z';
export const T2 = '2026-11-22T10:10:00.000Z';

export const intent = (amount: string, extra: Partial<Intent> = {}): Intent => ({
  version: 1,
  kind: 'transfer',
  chain: 'ethereum',
  asset: 'ETH',
  amount,
  source: { vaultId: 'vlt-1' },
  destination: { address: '0x' + 'ee'.repeat(20) },
  digests: [DIGEST],
  ...extra,
});

/** What an approver of request `requestId` for `i` signs. */
export const requestPayload = (i: Intent, expiresAt = EXPIRES, requestId = 'req-1') =>
  requestApprovalPayloadJson({
    requestId,
    vaultId: 'vlt-1',
    digests: i.digests,
    policyVersion: 2,
    intentHash: intentHash(i),
    expiresAt,
    decision: 'approve',
  });

/** The AML endpoint's signed answer to call `callId` about `i`. */
export function amlAnswer(i: Intent, callId = 'call-1', at = T1) {
  const payload = externalDecisionPayloadJson({
    endpointId: 'aml',
    callId,
    requestId: 'req-1',
    intentHash: intentHash(i),
    decision: 'approve',
  });
  const signature = bytesToHex(ed25519.sign(utf8ToBytes(payload), aml.secretKey));
  return { endpointId: 'aml', callId, decision: 'approve' as const, signature, at };
}

export interface EvidenceOptions {
  readonly doc?: PublishedPolicy;
  /** Who approved publishing the version (default admins A and B). */
  readonly signers?: readonly Signer[];
  readonly initiator?: SigningEvidenceV2['request']['initiator'];
  readonly external?: SigningEvidenceV2['external'];
  /** The intent the approvers saw, if not the evidence's. */
  readonly signedIntent?: Intent;
  /** Default `req-1`, created at CREATED, expiring at EXPIRES. */
  readonly requestId?: string;
  readonly createdAt?: string;
  readonly expiresAt?: string;
}

/** Evidence v2 for request `req-1` on `i`, with `approvals` as (signer, time) pairs. */
export function evidenceV2(
  i: Intent,
  approvals: readonly (readonly [Signer, string])[] = [],
  options: EvidenceOptions = {},
): SigningEvidenceV2 {
  const doc = options.doc ?? published();
  const { requestId = 'req-1', createdAt = CREATED, expiresAt = EXPIRES } = options;
  return {
    version: 2,
    requestId,
    vaultId: 'vlt-1',
    digests: i.digests,
    policyVersion: doc.policyVersion,
    request: {
      intent: i,
      initiator: options.initiator ?? {
        kind: 'user',
        id: 'usr-i',
        role: 'initiator',
        principal: 'usr-i',
      },
      createdAt,
      expiresAt,
    },
    policy: {
      document: doc,
      approvals: versionApprovals(doc, options.signers ?? [adminA, adminB]),
    },
    approvals: approvals.map(([signer, at]) => ({
      approval: signer.approve(requestPayload(options.signedIntent ?? i, expiresAt, requestId)),
      at,
    })),
    external: options.external ?? [],
    velocity: [],
  };
}
