/**
 * System test of `coffer up` (issue 5, "`coffer up` and `npm start`", and the issue's
 * end-to-end test): the real command as a child process in a temporary directory — the
 * server with its embedded PGlite and three `coffer node` child processes. Then, as a user
 * would: `coffer bootstrap --data-dir` creates the owner and enrols the three nodes (checked
 * connected through the SDK), an admin API key gets an approval key, a 2-of-3 vault is
 * generated across the nodes, and messages signed by them verify with @noble/curves. A node
 * killed with SIGKILL is reported and restarted once; a second `coffer up` on the same data
 * refuses to start. Ctrl-C (SIGINT) stops everything — no
 * child PID survives — and a second start resumes with the same data: login works, the same
 * nodes reconnect and the vault signs again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { CofferClient, pollUntil } from '@coffer/sdk';
import type { SignatureRequest, Vault } from '@coffer/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { COFFER_BIN, runCoffer } from './support/node-process.js';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'owner@example.org';

/** A running `coffer up`: its output so far, the URL and node PIDs from its ready block. */
class CofferUp {
  stdout = '';
  stderr = '';
  readonly exit: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(cwd: string, env: Record<string, string>): Promise<CofferUp> {
    const child = spawn(process.execPath, [COFFER_BIN, 'up'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const up = new CofferUp(child);
    await up.waitFor(() => /Coffer is running at (\S+)/.test(up.stdout), 'the ready line');
    return up;
  }

  get url(): string {
    return /Coffer is running at (\S+)/.exec(this.stdout)![1]!;
  }

  /** node name → PID, from the ready block. */
  get nodePids(): Map<string, number> {
    const pids = new Map<string, number>();
    for (const m of this.stdout.matchAll(/^ {2}(node-\d)\s+pid (\d+)\s+node id ([0-9a-f]{32})/gm)) {
      pids.set(m[1]!, Number(m[2]));
    }
    return pids;
  }

  /** Polls (bounded) until `condition` holds; fails with the output if `coffer up` exits. */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exit.then(() => (exited = true));
    while (!condition()) {
      if (exited || Date.now() > deadline) {
        throw new Error(`coffer up: no ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Ctrl-C, then the exit code (bounded). */
  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 60_000, 'timeout'));
    const code = await Promise.race([this.exit, timeout]);
    if (code === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`coffer up did not stop within 60 s of SIGINT:\n${this.stdout}`);
    }
    return code;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function cofferJson<T>(args: string[], env: Record<string, string>): Promise<T> {
  const run = await runCoffer(args, env, 120_000);
  if (run.code !== 0) throw new Error(`coffer ${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function connectedNodes(client: CofferClient, orgId: string) {
  return pollUntil(
    () => client.listNodes(orgId),
    ({ nodes }) => nodes.length === 3 && nodes.every((n) => n.status === 'connected'),
    { intervalMs: 250, timeoutMs: 60_000 },
  );
}

describe('coffer up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-up-e2e-'));
  const dataDir = join(dir, 'data');
  const env = {
    COFFER_PORT: '0',
    COFFER_RELAY_PORT: '0',
    COFFER_HOME: join(dir, 'home'),
    OWNER_PASSWORD: PASSWORD,
  };
  const running: CofferUp[] = [];
  afterAll(() => {
    // Only after a failure is anything left: the nodes run in their own process groups.
    for (const up of running) {
      const restarted = [...up.stderr.matchAll(/restarted \(pid (\d+)\)/g)].map((m) =>
        Number(m[1]),
      );
      for (const pid of [...up.nodePids.values(), ...restarted]) {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      up.child.kill('SIGKILL');
    }
  });

  it('runs the server and three node processes, enrols them, signs, stops cleanly and resumes', async () => {
    // First start: the server and three signing-node child processes.
    const first = await CofferUp.start(dir, env);
    running.push(first);
    expect(first.stdout).toContain('LOCAL DEVELOPMENT setup');
    expect(first.stdout).toContain(`${first.url}/docs`);
    expect(first.stdout).toContain(
      `coffer bootstrap --data-dir ./data --email you@example.org --password-env COFFER_PASSWORD`,
    );
    const pids = first.nodePids;
    expect([...pids.keys()]).toEqual(['node-1', 'node-2', 'node-3']);
    const localNodes = JSON.parse(readFileSync(join(dataDir, 'nodes.json'), 'utf8')) as {
      nodes: { name: string; identity: { nodeId: string } }[];
    };
    const nodeIds = localNodes.nodes.map((n) => n.identity.nodeId).sort();

    // The user bootstraps: owner, organisation, and the three nodes enrolled.
    const cli = { ...env, COFFER_SERVER: first.url };
    const boot = await cofferJson<{ organisation: { id: string }; nodes: { nodeId: string }[] }>(
      [
        'bootstrap',
        '--data-dir',
        dataDir,
        '--email',
        EMAIL,
        '--password-env',
        'OWNER_PASSWORD',
        '--json',
      ],
      cli,
    );
    const orgId = boot.organisation.id;
    expect(boot.nodes.map((n) => n.nodeId).sort()).toEqual(nodeIds);
    const sdk = new CofferClient({ baseUrl: first.url });
    await sdk.login({ email: EMAIL, password: PASSWORD });
    const { nodes } = await connectedNodes(sdk, orgId);
    expect(nodes.map((n) => n.nodeId).sort()).toEqual(nodeIds);

    // A second `coffer up` on the same data refuses to start (one database, one set of nodes).
    const twice = await runCoffer(['up', '--data-dir', dataDir], env);
    expect([twice.code, twice.stderr.trim()]).toEqual([
      1,
      `coffer: coffer up is already running on ${dataDir} (pid ${first.child.pid})`,
    ]);

    // A node that dies is reported loudly and restarted once.
    process.kill(pids.get('node-2')!, 'SIGKILL');
    await first.waitFor(() => /node-2 restarted \(pid (\d+)\)/.test(first.stderr), 'restart');
    expect(first.stderr).toMatch(/!!! signing node node-2 \(pid \d+\) died \(signal SIGKILL\)/);
    const restartedPid = Number(/node-2 restarted \(pid (\d+)\)/.exec(first.stderr)![1]);
    expect(alive(restartedPid)).toBe(true);
    await connectedNodes(sdk, orgId);

    // An approval key, a 2-of-3 vault across the three nodes, and signatures that verify.
    const keyFile = join(dir, 'approver.json');
    await cofferJson(
      [
        'apikey',
        'create',
        '--name',
        'approvals',
        '--role',
        'admin',
        '--approval-key-out',
        keyFile,
        '--json',
      ],
      cli,
    );
    const vault = await cofferJson<Vault>(
      [
        'vault',
        'create',
        '--name',
        'treasury',
        '--structure',
        '2of3',
        '--nodes',
        'all',
        '--schemes',
        'frost-ed25519,ecdsa-secp256k1',
        '--json',
      ],
      cli,
    );
    expect(vault.status).toBe('active');
    const signFrost = async () => {
      const message = Buffer.from('pay 0.1 BTC to the cold wallet');
      const signed = await cofferJson<SignatureRequest>(
        [
          'sign',
          '--vault',
          vault.id,
          '--scheme',
          'frost-ed25519',
          '--message',
          message.toString('hex'),
          '--approve-with',
          keyFile,
          '--json',
        ],
        cli,
      );
      expect(signed.status).toBe('signed');
      const { signature, publicKey, signers } = signed.result!;
      expect(signers).toHaveLength(2);
      expect(ed25519.verify(hexToBytes(signature), message, hexToBytes(publicKey))).toBe(true);
    };
    await signFrost();
    const digest = createHash('sha256').update('transfer 5 ETH').digest();
    const ecdsa = await cofferJson<SignatureRequest>(
      [
        'sign',
        '--vault',
        vault.id,
        '--scheme',
        'ecdsa-secp256k1',
        '--digest',
        digest.toString('hex'),
        '--approve-with',
        keyFile,
        '--json',
      ],
      cli,
    );
    const { signature, publicKey } = ecdsa.result!;
    expect(
      secp256k1.verify(hexToBytes(signature), digest, hexToBytes(publicKey), { prehash: false }),
    ).toBe(true);

    // Ctrl-C: everything stops, no child process survives.
    expect(await first.interrupt()).toBe(0);
    expect(first.stdout).toContain('Coffer stopped.');
    for (const pid of [...pids.values(), restartedPid]) expect(alive(pid)).toBe(false);
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    // Second start: same data — the owner logs in, the same nodes reconnect, the vault signs.
    const second = await CofferUp.start(dir, env);
    running.push(second);
    expect(second.stdout).toContain('The owner exists already');
    const again = new CofferClient({ baseUrl: second.url });
    await again.login({ email: EMAIL, password: PASSWORD });
    const reconnected = await connectedNodes(again, orgId);
    expect(reconnected.nodes.map((n) => n.nodeId).sort()).toEqual(nodeIds);
    expect((await again.getVault(orgId, vault.id)).status).toBe('active');
    cli.COFFER_SERVER = second.url;
    const login = await runCoffer(
      ['login', '--email', EMAIL, '--password-env', 'OWNER_PASSWORD'],
      cli,
    );
    expect(login.code).toBe(0);
    await signFrost();

    const secondPids = [...second.nodePids.values()];
    expect(await second.interrupt()).toBe(0);
    for (const pid of secondPids) expect(alive(pid)).toBe(false);
  }, 600_000);
});
