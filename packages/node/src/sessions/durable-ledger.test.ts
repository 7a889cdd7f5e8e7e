/**
 * The durable usage ledger and the per-round persistence: a consumed id stays consumed after
 * the ledger and keystore are closed and reopened (a restart); a torn final append is
 * dropped while a corrupted entry fails closed; ids are not readable from the file; and the
 * runner seals each round's state in the keystore before its messages leave the node.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../errors.js';
import { Cluster, freshSessionId, openKeystore } from './cluster.testkit.js';
import { DurableLedger, USAGE_LEDGER_FILE } from './durable-ledger.js';
import { loadSessionRecord } from './session-store.js';

async function reopen(dir: string) {
  const keystore = await openKeystore(dir);
  return { keystore, ledger: await DurableLedger.open({ directory: dir, keystore }) };
}

describe('DurableLedger', () => {
  it('keeps a consumed id consumed across close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-ledger-'));
    const first = await reopen(dir);
    first.ledger.consume('frost-nonce/abc/p1');
    expect(() => first.ledger.consume('frost-nonce/abc/p1')).toThrow(/already used/);
    first.ledger.close();
    await first.keystore.close();

    const second = await reopen(dir);
    expect(second.ledger.has('frost-nonce/abc/p1')).toBe(true);
    expect(() => second.ledger.consume('frost-nonce/abc/p1')).toThrow(
      expect.objectContaining({ code: 'STATE_CONSUMED' }),
    );
    second.ledger.consume('frost-nonce/abc/p2');
    expect(readFileSync(join(dir, USAGE_LEDGER_FILE), 'utf8')).not.toContain('frost-nonce');
    second.ledger.close();
    await second.keystore.close();
  });

  it('drops a torn final append but fails closed on a corrupted entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-ledger-'));
    const first = await reopen(dir);
    first.ledger.consume('a');
    first.ledger.close();
    await first.keystore.close();
    const path = join(dir, USAGE_LEDGER_FILE);
    appendFileSync(path, '0123abcd'); // crash in the middle of an append
    const second = await reopen(dir);
    expect(second.ledger.size).toBe(1);
    second.ledger.consume('b');
    second.ledger.close();
    await second.keystore.close();

    writeFileSync(path, `not-an-entry\n${readFileSync(path, 'utf8')}`);
    const keystore = await openKeystore(dir);
    await expect(DurableLedger.open({ directory: dir, keystore })).rejects.toBeInstanceOf(
      NodeError,
    );
    await keystore.close();
  });
});

describe('state persisted between rounds', () => {
  it('seals each round state in the keystore before sending, and wipes it at the end', async () => {
    const seen: { round: number; persisted: number | undefined }[] = [];
    const cluster = await Cluster.start(['node-a', 'node-b']);
    try {
      const a = cluster.node('node-a');
      cluster.reconfigure('node-a', {
        hooks: {
          afterStep: async ({ sessionId, round }) => {
            const record = await loadSessionRecord(a.keystore, sessionId);
            seen.push({ round, persisted: record?.round });
          },
        },
      });
      const sessionId = freshSessionId();
      const participants = { p1: 'node-a', p2: 'node-b' };
      const request = {
        sessionId,
        protocol: 'dkg' as const,
        params: { group: 'ed25519', structure: '2of(p1,p2)' },
        participants,
      };
      await Promise.all([a.runner.run(request), cluster.node('node-b').runner.run(request)]);
      // Before step r runs, the record holds round r-1's state and round r's input.
      expect(seen).toEqual([
        { round: 1, persisted: 0 },
        { round: 2, persisted: 1 },
      ]);
      expect(await loadSessionRecord(a.keystore, sessionId)).toBeUndefined();
      expect((await a.keystore.list()).filter((n) => n.startsWith('frost-share.'))).toHaveLength(1);
    } finally {
      await cluster.stop();
    }
  });
});
