/**
 * System tests of the `coffer node` process itself (issue 4, "The node" and "Tests"): real
 * child processes on loopback. Three passphrase nodes enrol with each other, connect
 * outbound to a relay in the test process and report healthy (their idle RSS is printed);
 * a node whose relay goes away reports "degraded" and keeps running; SIGTERM and SIGINT shut
 * a node down gracefully (exit 0); a wrong or missing passphrase is one clear line on stderr
 * and a non-zero exit. The passphrase never appears in the logs. (The pkcs11 and kms
 * providers: node-providers.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, newPassphrase } from './support/cluster.js';
import { coordinatorIdentity } from './support/coordinator.js';
import { runCoffer } from './support/node-process.js';

const STEP_TIMEOUT = 90_000;

describe('coffer node: three passphrase nodes on a relay', () => {
  const passphrases = [newPassphrase(), newPassphrase(), newPassphrase()];
  let cluster: Cluster;

  beforeAll(async () => {
    const coordinator = coordinatorIdentity();
    cluster = await Cluster.create(
      passphrases.map((passphrase, i) => ({
        name: `node${i + 1}`,
        setup: { provider: 'passphrase', passphrase },
      })),
      { coordinator: coordinator.publicIdentity },
    );
    await cluster.startAll();
  }, STEP_TIMEOUT);

  afterAll(async () => cluster?.close(), STEP_TIMEOUT);

  it('connects outbound to the relay and reports health with its enrolled node id', async () => {
    expect(cluster.relay.connectedNodes()).toEqual(
      cluster.nodes.map((n) => n.identity.nodeId).sort(),
    );
    for (const node of cluster.nodes) {
      const health = await node.process!.health();
      expect(health).toMatchObject({
        status: 'ok',
        nodeId: node.identity.nodeId,
        relay: 'connected',
      });
      expect(health.uptimeS).toBeGreaterThanOrEqual(0);
      expect(health.memoryRss).toBeGreaterThan(0);
    }
  });

  // Issue 4 asks for < 100 MB. `coffer node` loads its sources in-thread and keeps V8's young
  // generation small (packages/cli/bin/coffer.mjs), idling at ~80 MB; bench/node.ts records it.
  it('reports its idle resident memory (printed for the benchmark record)', async () => {
    await new Promise((r) => setTimeout(r, 1_000));
    const rss = await Promise.all(cluster.nodes.map((n) => n.process!.health()));
    const mb = rss.map((h) => +(h.memoryRss / 2 ** 20).toFixed(1));
    console.log(`idle coffer node RSS (MB, from /healthz): ${mb.join(', ')}`);
    for (const value of mb) expect(value).toBeLessThan(100);
  });

  it('never writes a passphrase to its logs', () => {
    for (const [i, node] of cluster.nodes.entries()) {
      const text = JSON.stringify(node.process!.logLines) + node.process!.stderr;
      expect(text).not.toContain(passphrases[i]);
    }
  });

  it('reports the relay as disconnected while it is unreachable, without crashing', async () => {
    const node = cluster.node('node3').process!;
    cluster.relay.close().catch(() => undefined);
    await node.waitForHealth((h) => h.relay === 'disconnected' && h.status === 'degraded');
    expect(node.exited).toBe(false);
  });

  it('shuts down gracefully on SIGTERM and SIGINT (exit 0, "coffer node stopped")', async () => {
    const first = cluster.node('node1').process!;
    const second = cluster.node('node2').process!;
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(await second.stop('SIGINT')).toBe(0);
    expect(first.logs('coffer node stopped')).toHaveLength(1);
    expect(second.logs('coffer node stopped')).toHaveLength(1);
  });

  it('exits non-zero with one clear line when the passphrase is wrong', async () => {
    const node = cluster.node('node1');
    const run = await runCoffer(['node', '--config', node.configFile], {
      COFFER_NODE_PASSPHRASE: 'not-the-passphrase',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe(
      'coffer: WRONG_PASSPHRASE: the passphrase does not open this keystore\n',
    );
    expect(run.stdout).toBe('');
  });

  it('exits non-zero naming the variable when the passphrase is missing', async () => {
    const run = await runCoffer(['node', '--config', cluster.node('node1').configFile], {});
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('COFFER_NODE_PASSPHRASE');
  });
});
