/**
 * A vault for API tests: created through the API (genesis, parties, audit as in production),
 * then its keys recorded as generated in the store, as if the nodes had run the DKG (the real
 * key generation runs in tests/e2e/server-vault.test.ts).
 */
import type { Vault } from '@coffer/protocol';
import { expect } from 'vitest';
import { completeKey, settleVault } from '../../src/modules/vaults/store.js';
import type { TestApp, TestClient } from './test-app.js';

export async function activeTestVault(
  t: TestApp,
  owner: TestClient,
  input: { orgId: string; nodes: readonly string[]; name: string; approvalQuorum: number },
): Promise<Vault> {
  const created = await owner.post(`/v1/orgs/${input.orgId}/vaults`, {
    name: input.name,
    structure: '2of3',
    nodes: input.nodes,
    approvalQuorum: input.approvalQuorum,
  });
  expect(created.statusCode).toBe(202);
  const vault = created.json<Vault>();
  for (const scheme of ['ecdsa-secp256k1', 'frost-ed25519', 'frost-taproot'] as const) {
    await completeKey(t.db, vault.id, scheme, {
      keyId: '11'.repeat(32),
      publicKey: '02'.padEnd(66, '1'),
      publicKeyPackage: {},
      chainCode: '22'.repeat(32),
    });
  }
  await settleVault(t.db, vault.id);
  return vault;
}
