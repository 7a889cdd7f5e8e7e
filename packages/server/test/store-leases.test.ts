/**
 * `withAdvisoryLock` (store/leases.ts) on both stores: it runs the work in a transaction and
 * returns its value, releases the lock on commit and on rollback, and — on PostgreSQL, with
 * two pools standing in for two server replicas — lets exactly one holder in at a time while
 * other keys stay free.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Queryable } from '../src/store/database.js';
import { withAdvisoryLock } from '../src/store/leases.js';
import { storeBackends } from './support/store-backends.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function advisoryLocks(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'",
  );
  return rows[0]!.n;
}

describe.each(storeBackends())('withAdvisoryLock on $name', (backend) => {
  afterEach(() => backend.cleanup());
  afterAll(() => backend.shutdown());

  it('runs the work in one transaction, returns its value and releases the lock', async () => {
    const store = await backend.fresh();
    const { db } = store;
    await db.exec('CREATE TABLE ticks (n integer)');
    const value = await withAdvisoryLock(db, 'sweep', async (tx) => {
      await tx.query('INSERT INTO ticks VALUES (1)');
      return 'done';
    });
    expect(value).toBe('done');
    // Released at commit: no advisory lock remains, and another connection gets it.
    expect(await advisoryLocks(db)).toBe(0);
    const other = await store.connect();
    expect(await withAdvisoryLock(other, 'sweep', () => Promise.resolve(2))).toBe(2);
    expect(await db.query('SELECT n FROM ticks')).toEqual([{ n: 1 }]);
  });

  it('rolls back on a throw and releases the lock', async () => {
    const { db } = await backend.fresh();
    await db.exec('CREATE TABLE ticks (n integer)');
    await expect(
      withAdvisoryLock(db, 'sweep', async (tx) => {
        await tx.query('INSERT INTO ticks VALUES (1)');
        throw new Error('job failed');
      }),
    ).rejects.toThrow('job failed');
    expect(await db.query('SELECT n FROM ticks')).toEqual([]);
    expect(await advisoryLocks(db)).toBe(0);
    expect(await withAdvisoryLock(db, 'sweep', () => Promise.resolve('again'))).toBe('again');
  });

  it.runIf(backend.dialect === 'postgres')(
    'two replicas: while one holds the key the other gets undefined and does nothing; other keys are free',
    async () => {
      const store = await backend.fresh();
      const replicaA = store.db;
      const replicaB = await store.connect();
      const holding = deferred();
      const release = deferred();
      const first = withAdvisoryLock(replicaA, 'sweep', async () => {
        holding.resolve();
        await release.promise;
        return 'A';
      });
      await holding.promise;
      let ranOnB = false;
      const second = await withAdvisoryLock(replicaB, 'sweep', () => {
        ranOnB = true;
        return Promise.resolve('B');
      });
      expect(second).toBeUndefined();
      expect(ranOnB).toBe(false);
      expect(await withAdvisoryLock(replicaB, 'another-job', () => Promise.resolve('free'))).toBe(
        'free',
      );
      release.resolve();
      expect(await first).toBe('A');
      expect(await withAdvisoryLock(replicaB, 'sweep', () => Promise.resolve('B'))).toBe('B');
    },
  );
});
