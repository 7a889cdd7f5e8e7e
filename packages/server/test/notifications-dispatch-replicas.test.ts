/**
 * Webhook dispatch with several server replicas (issue 5, "Storage"; issue 6 item 9): two
 * dispatchers on one database — on PostgreSQL, on two connection pools as two replicas would
 * be — fan out and deliver a burst of audit entries, and every entry reaches the receiver
 * exactly once (one delivery row per entry, one attempt, one request).
 */
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { appendAudit, SYSTEM_ACTOR } from '../src/modules/audit/audit-store.js';
import { createUser } from '../src/modules/auth/users-store.js';
import { WebhookDispatcher } from '../src/modules/notifications/webhook-dispatcher.js';
import { createWebhook } from '../src/modules/notifications/webhooks-store.js';
import { createOrganisation } from '../src/modules/orgs/store.js';
import { migrate } from '../src/store/migrations.js';
import { startReceiver, waitFor, type WebhookReceiver } from './notifications-receiver.js';
import { storeBackends } from './support/store-backends.js';

const ENTRIES = 30;

describe.each(storeBackends())('two dispatchers on $name', (backend) => {
  const running: { dispatchers: WebhookDispatcher[]; receiver?: WebhookReceiver } = {
    dispatchers: [],
  };
  afterEach(async () => {
    await Promise.all(running.dispatchers.splice(0).map((d) => d.stop()));
    await running.receiver?.close();
    await backend.cleanup();
  });
  afterAll(() => backend.shutdown());

  it('deliver each audit entry exactly once', async () => {
    const store = await backend.fresh();
    await migrate(store.db);
    const receiver = await startReceiver();
    running.receiver = receiver;
    const user = await createUser(store.db, {
      email: 'replicas@example.org',
      displayName: 'Replicas',
      passwordHash: 'x',
    });
    const org = await store.db.transaction((tx) => createOrganisation(tx, 'Replicas', user.id));
    await store.db.transaction((tx) =>
      createWebhook(tx, org.id, { url: receiver.url, events: ['*'] }, user.id),
    );
    const logger = pino({ level: 'silent' });
    for (const db of [store.db, await store.connect()]) {
      const dispatcher = new WebhookDispatcher({
        db,
        logger,
        pollMs: 5,
        backoffBaseMs: 10,
        concurrency: 3,
      });
      running.dispatchers.push(dispatcher);
      dispatcher.start();
    }
    for (let i = 0; i < ENTRIES; i++) {
      await store.db.transaction((tx) =>
        appendAudit(tx, { chain: org.id, actor: SYSTEM_ACTOR, action: `test.burst-${i}` }),
      );
    }
    const delivered = async () => {
      const rows = await store.db.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM webhook_deliveries WHERE status = 'delivered'`,
      );
      return rows[0]?.n === ENTRIES;
    };
    await waitFor('every delivery', delivered);
    await Promise.all(running.dispatchers.splice(0).map((d) => d.stop()));

    const ids = receiver.received.map((r) => r.eventId);
    expect(ids).toHaveLength(ENTRIES);
    expect(new Set(ids).size).toBe(ENTRIES);
    const rows = await store.db.query<{ seq: number; attempts: number }>(
      'SELECT seq, attempts FROM webhook_deliveries ORDER BY seq',
    );
    expect(rows.map((r) => r.attempts)).toEqual(Array(ENTRIES).fill(1));
    const firstSeq = rows[0]!.seq;
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: ENTRIES }, (_, i) => firstSeq + i));
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => `${org.id}:${r.seq}`)));
  });
});
