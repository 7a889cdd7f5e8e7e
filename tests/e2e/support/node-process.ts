/**
 * System-test support: runs the real `coffer` bin (packages/cli/bin/coffer.mjs) as child
 * processes — `coffer node identity` to enrol, and `coffer node` as a long-running signing
 * node — with secrets passed only through the environment. A running node is found by its
 * "coffer node started" log line (which names the health port), polled through GET /healthz,
 * and stopped by PID: SIGTERM for a graceful stop, SIGKILL for a crash. Every wait is bounded.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COFFER_BIN = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'packages',
  'cli',
  'bin',
  'coffer.mjs',
);

export type Env = Readonly<Record<string, string>>;

export interface PublicIdentityJson {
  readonly nodeId: string;
  readonly signingKey: string;
  readonly encryptionKey: string;
}

export interface HealthJson {
  readonly status: string;
  readonly nodeId: string;
  readonly relay: 'connected' | 'disconnected';
  readonly uptimeS: number;
  readonly memoryRss: number;
}

/** The environment a child gets: PATH and friends, SOFTHSM2_CONF, plus `env`. */
function childEnv(env: Env): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SOFTHSM2_CONF', 'NODE_OPTIONS']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...env };
}

export interface CofferResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a short `coffer` command to completion (bounded by `timeoutMs`). */
export function runCoffer(args: readonly string[], env: Env, timeoutMs = 30_000) {
  return new Promise<CofferResult>((resolve) => {
    execFile(
      process.execPath,
      [COFFER_BIN, ...args],
      { env: childEnv(env), timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `coffer node identity --config FILE`: the node's public identity (created on first use). */
export async function nodeIdentity(configFile: string, env: Env): Promise<PublicIdentityJson> {
  const run = await runCoffer(['node', 'identity', '--config', configFile], env);
  if (run.code !== 0) throw new Error(`coffer node identity failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as PublicIdentityJson;
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** A running `coffer node` child process. */
export class NodeProcess {
  #exit: Promise<number | null>;
  #exited = false;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly healthPort: number,
    exit: Promise<number | null>,
    private readonly output: { readonly lines: Record<string, unknown>[]; stderr: string },
  ) {
    this.#exit = exit;
    void exit.then(() => (this.#exited = true));
  }

  /** Spawns `coffer node --config FILE` and waits for its "coffer node started" line. */
  static async start(name: string, configFile: string, env: Env, timeoutMs = 30_000) {
    const child = spawn(process.execPath, [COFFER_BIN, 'node', '--config', configFile], {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { lines: [] as Record<string, unknown>[], stderr: '' };
    let partial = '';
    const exit = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    const started = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within ${timeoutMs} ms; stderr: ${output.stderr}`));
      }, timeoutMs);
      void exit.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before starting; stderr: ${output.stderr}`));
      });
      child.stdout.on('data', (chunk: Buffer) => {
        partial += chunk.toString();
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        for (const text of parts) {
          if (text.trim() === '') continue;
          let line: Record<string, unknown>;
          try {
            line = JSON.parse(text) as Record<string, unknown>;
          } catch {
            line = { msg: text, unparsed: true };
          }
          output.lines.push(line);
          if (line.msg === 'coffer node started' && typeof line.healthPort === 'number') {
            clearTimeout(timer);
            resolve(line.healthPort);
          }
        }
      });
    });
    const healthPort = await started;
    return new NodeProcess(name, child, healthPort, exit, output);
  }

  /** Every stdout log line so far (pino JSON, parsed). */
  get logLines(): readonly Record<string, unknown>[] {
    return this.output.lines;
  }

  get stderr(): string {
    return this.output.stderr;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.#exited;
  }

  async health(): Promise<HealthJson> {
    const response = await fetch(`http://127.0.0.1:${this.healthPort}/healthz`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) throw new Error(`${this.name} /healthz: ${response.status}`);
    return (await response.json()) as HealthJson;
  }

  /** Polls /healthz until `predicate` holds (bounded). */
  async waitForHealth(predicate: (h: HealthJson) => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    let last: HealthJson | undefined;
    while (Date.now() < deadline) {
      last = await this.health().catch(() => undefined);
      if (last !== undefined && predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name}: health condition not met; last: ${JSON.stringify(last)}`);
  }

  /** Sends `signal` to the PID and waits (bounded) for the exit code. */
  async stop(signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL' = 'SIGTERM', timeoutMs = 20_000) {
    if (!this.#exited) process.kill(this.pid, signal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs));
    const result = await Promise.race([this.#exit, timer]);
    if (result === 'timeout') {
      process.kill(this.pid, 'SIGKILL');
      await this.#exit;
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}`);
    }
    return result;
  }

  /** Log lines whose msg equals `msg`. */
  logs(msg: string): Record<string, unknown>[] {
    return this.logLines.filter((l) => l.msg === msg);
  }
}
