/**
 * One signing node of `coffer up` as a separate child process: `coffer node --config FILE`
 * (the same bin, so the same in-thread loader and memory profile as a production node), its
 * passphrase given only through the child's environment, its pino log lines appended to
 * `node.log` beside its keystore. Started means its "coffer node started" line was seen;
 * stopping is by PID: SIGTERM, then SIGKILL once a bound has passed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COFFER_BIN = fileURLToPath(new URL('../../bin/coffer.mjs', import.meta.url));

/** Variables a child needs to run at all; nothing else of ours (API keys, tokens) leaks. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS', 'SOFTHSM2_CONF'];

export interface NodeChildOptions {
  readonly name: string;
  readonly configFile: string;
  readonly logFile: string;
  /** Secret variables for the child only (the keystore passphrase). */
  readonly secretEnv: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export class NodeChild {
  #exited = false;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly healthPort: number,
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ) {
    this.exit = exit;
    void exit.then(() => (this.#exited = true));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.#exited;
  }

  static async start(options: NodeChildOptions): Promise<NodeChild> {
    const env: NodeJS.ProcessEnv = { ...options.secretEnv };
    for (const name of INHERITED)
      if (process.env[name] !== undefined) env[name] = process.env[name];
    const child = spawn(process.execPath, [COFFER_BIN, 'node', '--config', options.configFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C in the terminal reaches `coffer up` only, which then
      // stops the nodes in order (a second SIGINT would make a node exit at once).
      detached: true,
    });
    const log: WriteStream = createWriteStream(options.logFile, { flags: 'a', mode: 0o600 });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        log.end();
        resolve({ code, signal });
      }),
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      log.write(chunk);
    });
    const healthPort = await new Promise<number>((resolve, reject) => {
      const limit = options.startTimeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`${options.name} did not start within ${limit} ms (log: ${options.logFile})`),
        );
      }, limit);
      void exit.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited with ${code} while starting: ${stderr.trim()}`));
      });
      let partial = '';
      child.stdout.on('data', (chunk: Buffer) => {
        log.write(chunk);
        partial += chunk.toString();
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const port = startedPort(line);
          if (port !== undefined) {
            clearTimeout(timer);
            resolve(port);
          }
        }
      });
    });
    return new NodeChild(options.name, child, healthPort, exit);
  }

  /** Last resort when `coffer up` itself exits abruptly: no graceful stop, no orphan. */
  kill(): void {
    if (!this.#exited) this.child.kill('SIGKILL');
  }

  /** SIGTERM (graceful: sessions settle, keys wiped), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.#exited) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.exit, forced]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }
}

function startedPort(line: string): number | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; healthPort?: unknown };
    if (parsed.msg === 'coffer node started' && typeof parsed.healthPort === 'number') {
      return parsed.healthPort;
    }
  } catch {
    // not a JSON log line
  }
  return undefined;
}
