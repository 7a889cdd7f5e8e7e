/**
 * Published policy versions (src/policy/published.ts; packages/node APPROVALS.md "Evidence
 * v2"): the hash admins sign is pinned (recomputed independently as SHA-256 of the canonical
 * JSON of `{type: "coffer.policy-version.v1", document}`), does not depend on key order, changes
 * with any field, and survives parsing — a node hashes the parsed document, the server the one
 * it stored. The directory refuses duplicate members, keys and endpoints, and approval keys of
 * non-members; the version must equal its policy's. The three approval payloads are pinned
 * byte for byte, and differ for the same field values, so no signature of one kind can be
 * replayed as another.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PolicyDirectory,
  PublishedPolicy,
  externalDecisionPayloadJson,
  intentHash,
  policyApprovalPayloadJson,
  publishedPolicyHash,
  requestApprovalPayloadJson,
} from '../src/index.js';
import { DIGEST, intent } from './policy-support.js';

const KEY_A = '11'.repeat(32);
const AML_KEY = '22'.repeat(32);

const document = (): PublishedPolicy => ({
  version: 1,
  orgId: 'org-1',
  policyVersion: 2,
  previousHash: null,
  policy: {
    version: 1,
    policyVersion: 2,
    groups: [],
    rules: [{ id: 'all', name: 'Everything', conditions: {}, action: { type: 'allow' } }],
  },
  directory: {
    members: [{ id: 'usr-a', role: 'admin' }],
    approvers: [{ keyId: 'key-a', scheme: 'ed25519', publicKey: KEY_A, principal: 'usr-a' }],
    externalApprovers: [{ endpointId: 'aml', publicKey: AML_KEY }],
  },
});

/** `path: message` of each issue, or [] when `value` parses. */
function issuesOf(schema: typeof PublishedPolicy | typeof PolicyDirectory, value: unknown) {
  const result = schema.safeParse(value);
  return (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('publishedPolicyHash', () => {
  it('is pinned: SHA-256 of the canonical JSON of {type, document}', () => {
    expect(publishedPolicyHash(document())).toBe(
      '128a14f313eaa5b19a9052bee9716c301101edd544826c4de42fda7c56bb1bd4',
    );
  });

  it('does not depend on the order of keys', () => {
    const d = document();
    const reordered = {
      directory: d.directory,
      policy: { rules: d.policy.rules, groups: [], policyVersion: 2, version: 1 },
      previousHash: null,
      policyVersion: 2,
      orgId: 'org-1',
      version: 1,
    } as PublishedPolicy;
    expect(publishedPolicyHash(reordered)).toBe(publishedPolicyHash(d));
  });

  it('changes with any field', () => {
    const d = document();
    const variants: PublishedPolicy[] = [
      { ...d, orgId: 'org-2' },
      { ...d, previousHash: 'ab'.repeat(32) },
      { ...d, policy: { ...d.policy, rules: [] } },
      { ...d, directory: { ...d.directory, members: [{ id: 'usr-a', role: 'owner' }] } },
      { ...d, directory: { ...d.directory, externalApprovers: [] } },
      {
        ...d,
        directory: {
          ...d.directory,
          approvers: [{ ...d.directory.approvers[0]!, publicKey: '33'.repeat(32) }],
        },
      },
    ];
    const hashes = new Set([d, ...variants].map(publishedPolicyHash));
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('is unchanged by parsing, for POLICY.md’s full example too', () => {
    const markdown = readFileSync(new URL('../POLICY.md', import.meta.url), 'utf8');
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? 'null') as {
      policyVersion: number;
    };
    const raw = { ...document(), policyVersion: example.policyVersion, policy: example };
    const parsed = PublishedPolicy.parse(JSON.parse(JSON.stringify(raw)));
    expect(publishedPolicyHash(parsed)).toBe(publishedPolicyHash(raw as PublishedPolicy));
  });
});

describe('intentHash', () => {
  it('is pinned and names every field of the intent', () => {
    const i = intent({ asset: 'ETH', amount: '5', source: { vaultId: 'vlt-1' } });
    expect(intentHash({ ...i, destination: { address: '0x' + 'ee'.repeat(20) } })).toBe(
      'ea45bfd93cf0d331245e0db95364962ec1786f5f00b525bcb4e55eeba36b4ff3',
    );
    expect(intentHash({ ...i, amount: '6' })).not.toBe(intentHash(i));
    expect(intentHash({ ...i, memo: 'x' })).not.toBe(intentHash(i));
  });
});

describe('PublishedPolicy and its directory', () => {
  it('accepts the document', () => {
    expect(issuesOf(PublishedPolicy, document())).toEqual([]);
  });

  it('refuses a version other than its policy’s, version 1, and unknown fields', () => {
    const d = document();
    expect(issuesOf(PublishedPolicy, { ...d, policyVersion: 3 })).toEqual([
      'policy.policyVersion: must equal the published policyVersion',
    ]);
    const v1 = { ...d, policyVersion: 1, policy: { ...d.policy, policyVersion: 1 } };
    expect(issuesOf(PublishedPolicy, v1)[0]).toMatch(/^policyVersion: /);
    expect(issuesOf(PublishedPolicy, { ...d, extra: 1 })).toHaveLength(1);
    expect(issuesOf(PublishedPolicy, { ...d, previousHash: 'AB'.repeat(32) })[0]).toMatch(
      /^previousHash: must be 32 bytes of lowercase hex/,
    );
  });

  it('refuses a member, approval key or endpoint listed twice', () => {
    const { directory } = document();
    const twiceMember = { ...directory, members: [...directory.members, directory.members[0]] };
    expect(issuesOf(PolicyDirectory, twiceMember)).toEqual(['members.1: duplicate member']);
    const sameKeyOtherScheme = {
      ...directory.approvers[0]!,
      scheme: 'webauthn-es256',
      publicKey: '02' + '44'.repeat(32),
    };
    const twiceKey = { ...directory, approvers: [...directory.approvers, sameKeyOtherScheme] };
    expect(issuesOf(PolicyDirectory, twiceKey)).toEqual(['approvers.1: duplicate approver key']);
    const twiceEndpoint = {
      ...directory,
      externalApprovers: [...directory.externalApprovers, { endpointId: 'aml', publicKey: KEY_A }],
    };
    expect(issuesOf(PolicyDirectory, twiceEndpoint)).toEqual([
      'externalApprovers.1: duplicate endpoint',
    ]);
  });

  it('refuses an approval key whose principal is not a member, or who has none', () => {
    const { directory } = document();
    const key = directory.approvers[0]!;
    const outsider = { ...directory, approvers: [{ ...key, principal: 'usr-gone' }] };
    expect(issuesOf(PolicyDirectory, outsider)).toEqual([
      'approvers.0.principal: must name a member of the directory',
    ]);
    const anonymous = { keyId: key.keyId, scheme: key.scheme, publicKey: key.publicKey };
    expect(issuesOf(PolicyDirectory, { ...directory, approvers: [anonymous] })).toEqual([
      'approvers.0.principal: must name a member of the directory',
    ]);
    expect(
      issuesOf(PolicyDirectory, {
        ...directory,
        externalApprovers: [{ endpointId: 'aml', publicKey: 'zz' }],
      })[0],
    ).toMatch(/^externalApprovers\.0\.publicKey: /);
  });
});

describe('the three approval payloads', () => {
  const hash = 'cd'.repeat(32);
  const shared = { decision: 'approve' as const, policyVersion: 2, intentHash: hash, hash };
  const policyApproval = policyApprovalPayloadJson({ ...shared, orgId: 'org-1' });
  const requestApproval = requestApprovalPayloadJson({
    ...shared,
    requestId: 'req-1',
    vaultId: 'vlt-1',
    digests: [DIGEST],
    expiresAt: '2026-11-23T10:00:00.000Z',
  });
  const externalDecision = externalDecisionPayloadJson({
    ...shared,
    endpointId: 'aml',
    callId: 'call-1',
    requestId: 'req-1',
  });

  it('are pinned byte for byte (canonical JSON, sorted keys, a type of their own)', () => {
    expect(policyApproval).toBe(
      `{"decision":"approve","hash":"${hash}","orgId":"org-1","policyVersion":2,` +
        '"type":"coffer.policy-approval.v1"}',
    );
    expect(requestApproval).toBe(
      `{"decision":"approve","digests":["${DIGEST}"],"expiresAt":"2026-11-23T10:00:00.000Z",` +
        `"intentHash":"${hash}","policyVersion":2,"requestId":"req-1",` +
        '"type":"coffer.request-approval.v2","vaultId":"vlt-1"}',
    );
    expect(externalDecision).toBe(
      `{"callId":"call-1","decision":"approve","endpointId":"aml","intentHash":"${hash}",` +
        '"requestId":"req-1","type":"coffer.external-decision.v1"}',
    );
  });

  it('differ for the same field values, and a rejection differs from an approval', () => {
    const payloads = [policyApproval, requestApproval, externalDecision];
    expect(new Set(payloads).size).toBe(3);
    const types = payloads.map((p) => (JSON.parse(p) as { type: string }).type);
    expect(new Set(types).size).toBe(3);
    expect(policyApprovalPayloadJson({ ...shared, orgId: 'org-1', decision: 'reject' })).not.toBe(
      policyApproval,
    );
  });
});
