/**
 * `coffer policy …`: the organisation's governed policy (packages/server REQUESTS.md). `show`
 * prints the current version, `propose` submits the next one from a JSON file, `approve`
 * signs a version with an approval key file (`--reject` to reject it) after hashing the
 * document itself, and `dry-run` asks what would happen to an intent, and why.
 */
import type { PolicyDryRunResult, PolicyVersion } from '@coffer/protocol';
import { parseOptions, readJsonFile, required } from '../args.js';
import { decidePolicyVersion, readApprovalKey } from '../platform/approval-key.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

function versionLines(version: PolicyVersion): string[] {
  const people = new Set(
    version.approvals.filter((a) => a.decision === 'approve').map((a) => a.principal),
  );
  return [
    `Policy version ${version.policyVersion}: ${version.status}${version.current ? ' (current)' : ''}`,
    `  hash       ${version.hash}`,
    `  approvals  ${people.size} of ${version.adminQuorum} owners/admins`,
    `  rules      ${version.document.policy.rules.map((r) => r.id).join(', ') || '(none: every request is blocked)'}`,
    ...version.vaults.map(
      (v) =>
        `  vault ${v.vaultId}: ${v.accepted ? 'its nodes accept it' : `not yet: ${v.missing}`}`,
    ),
  ];
}

const dryRunLines = (result: PolicyDryRunResult) => [
  `Policy version ${result.policyVersion}: ${result.outcome}` +
    (result.ruleName === null ? '' : ` (rule "${result.ruleName}")`),
  ...result.reasons.map((r) => `  ${r}`),
];

export const policyShow: Command = {
  name: 'policy show',
  summary: 'show the policy version new requests are judged by',
  section: 'platform',
  help: `Usage: coffer policy show [--version N] [--org ID] [--json]

  --version N   a given version instead of the current one
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, { ...ORG_OPTIONS, version: { type: 'string' } });
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    if (o.version !== undefined) {
      const version = await client.getPolicyVersion(orgId, Number(o.version));
      return output(o.json, version, () => versionLines(version));
    }
    const current = await client.getPolicy(orgId);
    return output(o.json, current, () =>
      current.published === null
        ? ["Policy version 1: no published policy; each vault's genesis policy decides"]
        : versionLines(current.published),
    );
  },
};

export const policyPropose: Command = {
  name: 'policy propose',
  summary: 'propose the next policy version from a JSON file',
  section: 'platform',
  help: `Usage: coffer policy propose --file POLICY.json [--org ID] [--json]

  --file F   the policy document (packages/protocol POLICY.md); its policyVersion must be the
             current version + 1
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, { ...ORG_OPTIONS, file: { type: 'string' } });
    const policy = readJsonFile(required(o.file, '--file'), 'the policy');
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const version = await client.proposePolicyVersion(orgId, { policy: policy as never });
    return output(o.json, version, () => versionLines(version));
  },
};

export const policyApprove: Command = {
  name: 'policy approve',
  summary: 'approve (or reject) a policy version with an approval key file',
  section: 'platform',
  help: `Usage: coffer policy approve --version N --approve-with FILE [--reject] [--org ID] [--json]

  --version N          the proposed (or published) version
  --approve-with FILE  an owner's or admin's approval key file
  --reject             sign a rejection instead (ends a proposal)
${ORG_HELP}
The document's hash is computed here and that is what is signed.
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      version: { type: 'string' },
      'approve-with': { type: 'string' },
      reject: { type: 'boolean' },
    });
    const number = Number(required(o.version, '--version'));
    const key = readApprovalKey(required(o['approve-with'], '--approve-with'));
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const version = await client.getPolicyVersion(orgId, number);
    const decision = o.reject === true ? 'reject' : 'approve';
    const approval = decidePolicyVersion(key, version, decision);
    const decided =
      decision === 'approve'
        ? await client.approvePolicyVersion(orgId, number, approval)
        : await client.rejectPolicyVersion(orgId, number, approval);
    return output(o.json, decided, () => versionLines(decided));
  },
};

export const policyDryRun: Command = {
  name: 'policy dry-run',
  summary: 'what would happen to an intent, and why',
  section: 'platform',
  help: `Usage: coffer policy dry-run --intent INTENT.json [--policy DRAFT.json] [--org ID] [--json]

  --intent F   the intent (kind, chain, asset, amount, source, destination, digests)
  --policy F   judge by this draft instead of the current version
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      intent: { type: 'string' },
      policy: { type: 'string' },
    });
    const intent = readJsonFile(required(o.intent, '--intent'), 'the intent');
    const policy = o.policy === undefined ? undefined : readJsonFile(o.policy, 'the policy');
    const client = connect(o.server);
    const orgId = await resolveOrg(client, o.org);
    const result = await client.policyDryRun(orgId, {
      intent: intent as never,
      ...(policy === undefined ? {} : { policy: policy as never }),
    });
    return output(o.json, result, () => dryRunLines(result));
  },
};
