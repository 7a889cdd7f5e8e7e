/**
 * `coffer policy show|propose|approve|dry-run` as a user runs them: the real bin against the
 * real app on a loopback port, with an admin API key and its approval key file. A proposal is
 * published once approved with the key (the CLI hashes the document itself); the dry run prints
 * the decision and every reason; unreadable files fail with one line and a non-zero exit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapOwner } from '../../server/test/support/test-app.js';
import { startLiveApp, type LiveApp } from '../../sdk/test/support/live-app.js';
import { newApprovalKey, writeApprovalKey } from '../src/platform/approval-key.js';
import { lastLine, runCoffer, tempDir } from './run-coffer.js';

describe('coffer policy', () => {
  let live: LiveApp;
  let env: Record<string, string>;
  let keyFile: string;
  const dir = tempDir();
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  beforeAll(async () => {
    live = await startLiveApp();
    const { owner, orgId } = await bootstrapOwner(live.t.app);
    const approval = newApprovalKey();
    const created = await owner.post(`/v1/orgs/${orgId}/api-keys`, {
      name: 'treasury admin',
      role: 'admin',
      approvalPublicKey: approval.publicKey,
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ id: string; secret: string }>();
    keyFile = join(dir, 'approver.json');
    writeApprovalKey(keyFile, { v: 1, keyId: key.id, scheme: 'ed25519', ...approval });
    env = {
      COFFER_HOME: tempDir(),
      COFFER_SERVER: live.baseUrl,
      COFFER_API_KEY: key.secret,
      COFFER_ORG: orgId,
    };
  });
  afterAll(async () => live.close());

  const intent = (amount: string) =>
    file(`intent-${amount}.json`, {
      version: 1,
      kind: 'transfer',
      chain: 'ethereum',
      asset: 'ETH',
      amount,
      source: { vaultId: 'vlt_0' },
      destination: { address: '0x' + 'ee'.repeat(20) },
      digests: ['ab'.repeat(32)],
    });

  it('shows the genesis policies until a version is published', async () => {
    const shown = await runCoffer(['policy', 'show'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("Policy version 1: no published policy; each vault's genesis");
  });

  it('proposes a version, approves it with the key file, and it is published', async () => {
    const policy = file('policy.json', {
      version: 1,
      policyVersion: 2,
      groups: [],
      rules: [
        {
          id: 'small',
          name: 'Small transfers',
          conditions: { amount: { max: '1000' } },
          action: { type: 'allow' },
        },
      ],
    });
    const proposed = await runCoffer(['policy', 'propose', '--file', policy], env);
    expect(proposed.code).toBe(0);
    expect(proposed.stdout).toContain('Policy version 2: proposed');
    const approved = await runCoffer(
      ['policy', 'approve', '--version', '2', '--approve-with', keyFile, '--json'],
      env,
    );
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: 'published', current: true });
    const shown = await runCoffer(['policy', 'show'], env);
    expect(shown.stdout).toContain('Policy version 2: published (current)');
  });

  it('dry-runs an intent, printing the decision and why', async () => {
    const allowed = await runCoffer(['policy', 'dry-run', '--intent', intent('10')], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('Policy version 2: allow (rule "Small transfers")');
    const blocked = await runCoffer(['policy', 'dry-run', '--intent', intent('5000')], env);
    expect(blocked.stdout).toContain('Policy version 2: block');
    expect(blocked.stdout).toContain('no rule matched');
  });

  it('fails with one line for an unreadable file or a refused proposal', async () => {
    const missing = await runCoffer(['policy', 'propose', '--file', join(dir, 'nope.json')], env);
    expect(missing.code).not.toBe(0);
    expect(lastLine(missing.stderr)).toMatch(/^coffer: cannot read the policy from .*nope\.json/);
    const stale = file('stale.json', { version: 1, policyVersion: 2, groups: [], rules: [] });
    const refused = await runCoffer(['policy', 'propose', '--file', stale], env);
    expect(refused.code).not.toBe(0);
    expect(lastLine(refused.stderr)).toMatch(/policyVersion must be 3/);
  });
});
