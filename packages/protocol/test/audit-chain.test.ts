import { describe, expect, it } from 'vitest';
import {
  GENESIS_PREV_HASH,
  auditEntryHash,
  verifyAuditChain,
  type AuditEntry,
  type AuditEntryBody,
} from '../src/index.js';

function chainOf(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const body: AuditEntryBody = {
      chain: 'org_1',
      seq,
      at: new Date(Date.UTC(2026, 10, 22, 8, 0, seq)).toISOString(),
      actor: { kind: 'user', id: `usr_${seq}` },
      action: 'vault.created',
      subject: `vlt_${seq}`,
      details: { n: seq, tags: ['a', 'b'] },
      prevHash: entries[seq - 2]?.hash ?? GENESIS_PREV_HASH,
    };
    entries.push({ ...body, hash: auditEntryHash(body) });
  }
  return entries;
}

/** Re-hashes an entry after a change, as an attacker who knows the scheme would. */
const rehash = (e: Omit<AuditEntry, 'hash'>): AuditEntry => ({ ...e, hash: auditEntryHash(e) });

describe('audit hash chain', () => {
  it('accepts an intact chain and reports its head', () => {
    const entries = chainOf(5);
    expect(verifyAuditChain(entries)).toEqual({
      ok: true,
      entries: 5,
      head: { seq: 5, hash: entries[4]!.hash },
      problems: [],
    });
    expect(verifyAuditChain([])).toMatchObject({ ok: true, head: null });
  });

  it('detects a modified entry', () => {
    const entries = chainOf(5);
    entries[2] = { ...entries[2]!, details: { n: 999, tags: ['a', 'b'] } };
    const result = verifyAuditChain(entries);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'modified', seq: 3 })]);
  });

  it('detects a modified and re-hashed entry at the next link', () => {
    const entries = chainOf(5);
    entries[2] = rehash({ ...entries[2]!, action: 'vault.deleted' });
    expect(verifyAuditChain(entries).problems).toEqual([
      expect.objectContaining({ kind: 'relinked', seq: 4 }),
    ]);
  });

  it('detects a deleted entry', () => {
    const entries = chainOf(5);
    entries.splice(1, 1);
    expect(verifyAuditChain(entries).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'deleted', seq: 3 })]),
    );
  });

  it('detects reordered entries', () => {
    const entries = chainOf(5);
    [entries[1], entries[3]] = [entries[3]!, entries[1]!];
    const kinds = verifyAuditChain(entries).problems.map((p) => p.kind);
    expect(kinds).toContain('reordered');
  });

  it('detects entries cut from the end only against a pinned head', () => {
    const entries = chainOf(5);
    const head = { seq: 5, hash: entries[4]!.hash };
    const cut = entries.slice(0, 3);
    expect(verifyAuditChain(cut).ok).toBe(true);
    expect(verifyAuditChain(cut, head).problems).toEqual([
      expect.objectContaining({ kind: 'head-mismatch', seq: 5 }),
    ]);
    expect(verifyAuditChain(entries, head).ok).toBe(true);
  });

  it('detects a whole chain rewritten from some point, against a pinned head', () => {
    const entries = chainOf(4);
    const head = { seq: 4, hash: entries[3]!.hash };
    const forged = [...entries.slice(0, 2)];
    for (const e of entries.slice(2)) {
      forged.push(
        rehash({ ...e, details: { forged: true }, prevHash: forged[forged.length - 1]!.hash }),
      );
    }
    expect(verifyAuditChain(forged).ok).toBe(true);
    expect(verifyAuditChain(forged, head).ok).toBe(false);
  });
});
