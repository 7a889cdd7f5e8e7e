/**
 * `coffer audit export` and `coffer audit verify` as a user runs them: the real bin against
 * the real app on a loopback port. The export verifies offline; an export edited in any of
 * the ways an attacker would (entry changed, deleted, reordered, cut at the end against a
 * pinned head) fails with exit 1 naming the problem.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapOwner } from '../../server/test/support/test-app.js';
import { startLiveApp, type LiveApp } from '../../sdk/test/support/live-app.js';
import { lastLine, runCoffer, tempDir } from './run-coffer.js';

describe('coffer audit export / verify', () => {
  let live: LiveApp;
  let env: Record<string, string>;
  let lines: string[];

  beforeAll(async () => {
    live = await startLiveApp();
    const { owner, orgId } = await bootstrapOwner(live.t.app);
    // A few audited changes: invites created and one revoked.
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) {
      expect(
        (await owner.post(`/v1/orgs/${orgId}/invites`, { email, role: 'viewer' })).statusCode,
      ).toBe(201);
    }
    const key = await owner.post(`/v1/orgs/${orgId}/api-keys`, {
      name: 'auditor',
      role: 'auditor',
    });
    expect(key.statusCode).toBe(201);
    env = {
      COFFER_HOME: tempDir(),
      COFFER_SERVER: live.baseUrl,
      COFFER_API_KEY: key.json<{ secret: string }>().secret,
      COFFER_ORG: orgId,
    };
    const exported = await runCoffer(['audit', 'export'], env);
    expect(exported.code).toBe(0);
    lines = exported.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
  });
  afterAll(async () => live.close());

  const writeExport = (content: string[]) => {
    const file = join(tempDir(), 'audit.jsonl');
    writeFileSync(file, `${content.join('\n')}\n`);
    return file;
  };

  it('verifies the stored log through the server and an export offline, printing the head', async () => {
    const online = await runCoffer(['audit', 'verify', '--json'], env);
    expect(online.code).toBe(0);
    const result = JSON.parse(online.stdout) as {
      ok: boolean;
      entries: number;
      head: { seq: number; hash: string };
    };
    expect(result).toMatchObject({ ok: true, entries: lines.length });
    const offline = await runCoffer(['audit', 'verify', '--file', writeExport(lines)], {
      COFFER_HOME: tempDir(),
    });
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(`head ${result.head.seq}:${result.head.hash}`);
  });

  it('fails on a modified, a deleted and a reordered entry', async () => {
    const modified = [...lines];
    modified[1] = modified[1]!.replace('"viewer"', '"admin"');
    expect(modified[1]).not.toBe(lines[1]);
    const deleted = lines.filter((_, i) => i !== 2);
    const reordered = [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)];
    for (const [content, kind] of [
      [modified, 'modified'],
      [deleted, 'deleted'],
      [reordered, 'reordered'],
    ] as const) {
      const run = await runCoffer(['audit', 'verify', '--file', writeExport(content)], {
        COFFER_HOME: tempDir(),
      });
      expect(run.code).toBe(1);
      expect(lastLine(run.stderr)).toMatch(
        new RegExp(`^coffer: the audit log is NOT intact: .*${kind} at`),
      );
    }
  });

  it('catches entries cut from the end only with the head pinned earlier', async () => {
    const last = JSON.parse(lines.at(-1)!) as { seq: number; hash: string };
    const cut = writeExport(lines.slice(0, -2));
    expect(
      (await runCoffer(['audit', 'verify', '--file', cut], { COFFER_HOME: tempDir() })).code,
    ).toBe(0);
    const pinned = await runCoffer(
      ['audit', 'verify', '--file', cut, '--head', `${last.seq}:${last.hash}`],
      { COFFER_HOME: tempDir() },
    );
    expect(pinned.code).toBe(1);
    expect(lastLine(pinned.stderr)).toContain('head-mismatch');
  });

  it('refuses a malformed head, an unreadable file and a line that is not an entry', async () => {
    const badHead = await runCoffer(
      ['audit', 'verify', '--file', writeExport(lines), '--head', '3:xyz'],
      env,
    );
    expect([badHead.code, lastLine(badHead.stderr)]).toEqual([
      2,
      'coffer: --head must be SEQ:HASH (a seq and 64 lowercase hex characters)',
    ]);
    const missing = await runCoffer(['audit', 'verify', '--file', '/nonexistent/audit.jsonl'], env);
    expect(missing.code).toBe(1);
    expect(lastLine(missing.stderr)).toMatch(/^coffer: cannot read \/nonexistent\/audit.jsonl/);
    const notEntry = await runCoffer(
      ['audit', 'verify', '--file', writeExport(['{"seq": 1}'])],
      env,
    );
    expect(notEntry.code).toBe(1);
    expect(lastLine(notEntry.stderr)).toMatch(/audit.jsonl:1: /);
  });
});
