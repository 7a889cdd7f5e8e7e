/**
 * Test support for the transport tests (not exported from the package): in-memory node
 * identities on noble keys, bounded waiting, an adversarial relay wrapper, locating a
 * system binary, free loopback ports and a `nats-server` child process. The skipping rule
 * for missing system packages is the shared tests/support/system-packages.ts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import type { LocalNode } from './identity-types.js';
import type { EnvelopeHandler, Relay, Unsubscribe } from './relay.js';

/** A node identity with keys in memory (the identity module does this for real). */
export function makeLocalNode(nodeId: string): LocalNode {
  const signing = ed25519.keygen();
  const enc = x25519.keygen();
  return {
    identity: {
      nodeId,
      signingPublicKey: signing.publicKey,
      encryptionPublicKey: enc.publicKey,
    },
    signer: {
      sign: (bytes) => ed25519.sign(bytes, signing.secretKey),
      x25519SharedSecret: (peer) => x25519.getSharedSecret(enc.secretKey, peer),
    },
  };
}

/** Polls `cond` every 10 ms until it holds; throws after `timeoutMs` (bounded loop). */
export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An in-flight copy of a publish, as the adversary sees it. */
export interface Publication {
  bytes: Uint8Array;
  to: string;
}

/**
 * A relay wrapper controlled by the adversary: every publish goes through `intercept`,
 * which returns what is actually forwarded (mutated, duplicated, held back, re-addressed).
 */
export class AdversarialRelay implements Relay {
  readonly seen: Publication[] = [];

  constructor(
    private readonly inner: Relay,
    private readonly intercept: (p: Publication, history: readonly Publication[]) => Publication[],
  ) {}

  async publish(envelopeBytes: Uint8Array, to: string): Promise<void> {
    const p = { bytes: envelopeBytes.slice(), to };
    const out = this.intercept(p, this.seen);
    this.seen.push(p);
    for (const o of out) await this.inner.publish(o.bytes, o.to);
  }

  subscribe(nodeId: string, handler: EnvelopeHandler): Unsubscribe {
    return this.inner.subscribe(nodeId, handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Absolute path of an executable, looking on PATH and in the sbin directories Debian uses
 * for daemons (nats-server lives in /usr/sbin, which a non-root PATH may lack).
 */
export function findBinary(binary: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bind to 0, read, release). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface NatsServerProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts `nats-server` on a free loopback port; `stop()` kills it by PID and waits. */
export async function startNatsServer(binary: string): Promise<NatsServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const pid = child.pid;
  if (pid === undefined) throw new Error('nats-server did not start');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
    const t = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, 3_000);
    await exited;
    clearTimeout(t);
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(port))) {
      if (child.exitCode !== null) throw new Error(`nats-server exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`nats-server not listening: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `nats://127.0.0.1:${port}`, pid, stop };
}
