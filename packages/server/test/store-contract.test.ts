/**
 * The store contract (issue 5, "Storage"): the same tests run against embedded PGlite and a
 * real PostgreSQL 15 server — migrations (apply, idempotent, append-only, concurrent start of
 * several replicas), transactions, unique-constraint conflicts, `FOR UPDATE SKIP LOCKED`
 * claims by two connections, and the value conventions of store/database.ts (timestamptz →
 * Date, jsonb round-trips).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ServerError } from '../src/http/server-error.js';
import { createUser } from '../src/modules/auth/users-store.js';
import { MigrationError, loadMigrations, migrate } from '../src/store/migrations.js';
import { storeBackends } from './support/store-backends.js';

/** A deferred promise: lets a test hold one transaction open while another runs. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(storeBackends())('store contract on $name', (backend) => {
  afterEach(() => backend.cleanup());
  afterAll(() => backend.shutdown());

  it('applies every migration once; a second run applies nothing', async () => {
    const { db } = await backend.fresh();
    const all = loadMigrations().map((m) => m.id);
    expect(all[0]).toBe('0001_identity_and_orgs');
    expect(await migrate(db)).toEqual(all);
    expect(await migrate(db)).toEqual([]);
    const recorded = await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
    expect(recorded.map((r) => r.id)).toEqual(all);
    const tables = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('users', 'memberships', 'invites')",
    );
    expect(tables[0]!.n).toBe(3);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const { db } = await backend.fresh();
    const dir = mkdtempSync(join(tmpdir(), 'coffer-migrations-')) + '/';
    writeFileSync(join(dir, '0001_things.sql'), 'CREATE TABLE things (id text PRIMARY KEY);\n');
    expect(await migrate(db, loadMigrations(dir))).toEqual(['0001_things']);
    writeFileSync(
      join(dir, '0001_things.sql'),
      'CREATE TABLE things (id text PRIMARY KEY, extra text);\n',
    );
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(MigrationError);
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(/0001_things was changed/);
  });

  it('rolls a failing migration back whole and records nothing', async () => {
    const { db } = await backend.fresh();
    const dir = mkdtempSync(join(tmpdir(), 'coffer-migrations-')) + '/';
    writeFileSync(
      join(dir, '0001_half.sql'),
      'CREATE TABLE half (id text PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);\n',
    );
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(/nowhere/);
    expect(
      await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half'"),
    ).toEqual([]);
    expect(await db.query('SELECT id FROM schema_migrations')).toEqual([]);
  });

  it('lets several server replicas migrate at once (advisory lock): each migration runs once', async () => {
    const store = await backend.fresh();
    const replicas = [store.db, await store.connect(), await store.connect()];
    const results = await Promise.all(replicas.map((db) => migrate(db)));
    const applied = results.flat().sort();
    expect(applied).toEqual(loadMigrations().map((m) => m.id));
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const { db } = await backend.fresh();
    await db.exec('CREATE TABLE ledger (id text PRIMARY KEY)');
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO ledger VALUES ('kept')");
    });
    const failure = new Error('abort');
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO ledger VALUES ('dropped')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(
      db.transaction((tx) => tx.query("INSERT INTO ledger VALUES ('kept')")),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query('SELECT id FROM ledger')).toEqual([{ id: 'kept' }]);
    // The pool/connection is usable after a rollback.
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('reports a unique email as CONFLICT through the users store; the driver code is 23505', async () => {
    const { db } = await backend.fresh();
    await migrate(db);
    const input = { email: 'same@example.org', displayName: 'A', passwordHash: 'x' };
    await createUser(db, input);
    await expect(createUser(db, input)).rejects.toMatchObject(
      new ServerError('CONFLICT', 'an account with this email already exists'),
    );
    await expect(
      db.query(
        "INSERT INTO users (id, email, display_name, password_hash) VALUES ('usr_x', 'same@example.org', 'B', 'y')",
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('returns timestamptz as Date and round-trips jsonb', async () => {
    const { db } = await backend.fresh();
    await db.exec(
      'CREATE TABLE docs (id integer PRIMARY KEY, at timestamptz NOT NULL, body jsonb NOT NULL)',
    );
    const at = new Date('2024-02-29T12:34:56.789Z');
    const body = {
      text: 'größe ✓ "quoted" \\ back',
      nested: { list: [1, 2.5, -3, null, true, { deep: [] }] },
      empty: {},
      big: Number.MAX_SAFE_INTEGER,
    };
    await db.query('INSERT INTO docs VALUES (1, $1, $2::jsonb)', [at, JSON.stringify(body)]);
    const rows = await db.query<{ at: Date; body: unknown; now: Date }>(
      'SELECT at, body, now() AS now FROM docs',
    );
    expect(rows[0]!.at).toBeInstanceOf(Date);
    expect(rows[0]!.at.toISOString()).toBe(at.toISOString());
    expect(rows[0]!.now).toBeInstanceOf(Date);
    expect(rows[0]!.body).toEqual(body);
  });

  it.runIf(backend.dialect === 'postgres')(
    'FOR UPDATE SKIP LOCKED: two connections claiming at once take distinct rows',
    async () => {
      const store = await backend.fresh();
      const other = await store.connect();
      await store.db.exec(
        "CREATE TABLE jobs (id text PRIMARY KEY, claimed_by text); INSERT INTO jobs (id) VALUES ('a'), ('b')",
      );
      const claim = `UPDATE jobs SET claimed_by = $1 WHERE id = (
        SELECT id FROM jobs WHERE claimed_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
      ) RETURNING id`;
      const firstHolds = deferred();
      const firstClaimed = deferred();
      let firstId: string | undefined;
      const first = store.db.transaction(async (tx) => {
        firstId = (await tx.query<{ id: string }>(claim, ['first']))[0]?.id;
        firstClaimed.resolve();
        await firstHolds.promise; // keep the row lock while the second claims
      });
      await firstClaimed.promise;
      const secondId = await other.transaction(
        async (tx) => (await tx.query<{ id: string }>(claim, ['second']))[0]?.id,
      );
      firstHolds.resolve();
      await first;
      expect(firstId).toBe('a');
      expect(secondId).toBe('b');
      const rows = await store.db.query('SELECT id, claimed_by FROM jobs ORDER BY id');
      expect(rows).toEqual([
        { id: 'a', claimed_by: 'first' },
        { id: 'b', claimed_by: 'second' },
      ]);
    },
  );
});
