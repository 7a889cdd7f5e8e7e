/**
 * Idle signing-node memory (issue 4, item 6: "an idle node stays under 100 MB"): starts an
 * in-process WsRelayServer and one real `coffer node` process (the packages/cli bin, exactly
 * as an operator runs it) with a temp passphrase keystore, enrolled through the system-test
 * support (tests/e2e/support), waits until its loopback /healthz reports the relay
 * connected, samples `memoryRss` from /healthz over ~3 s of idling, stops the process by PID
 * (SIGTERM) and reports the median and maximum against the 100 MB target. The measurement
 * runs in a child process (`run()` is synchronous in the harness), so nothing of the bench
 * process itself is counted. Measured, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Cluster, newPassphrase } from '../tests/e2e/support/cluster.js';
import { coordinatorIdentity } from '../tests/e2e/support/coordinator.js';
import { environment, printTable, round, writeResults, type BenchmarkModule } from './harness.js';

/** Issue 4's bound on an idle node's resident memory. */
const TARGET_MB = 100;
/** Idle time before sampling, samples taken, and the gap between them. */
const SETTLE_MS = 1_000;
const SAMPLES = 7;
const SAMPLE_GAP_MS = 500;
/** Separate node processes measured (each a fresh start). */
const STARTS = 3;

const RUN_TS = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'run-ts.mjs');
const CHILD_FLAG = '--node-bench-child';

const mb = (bytes: number) => round(bytes / 2 ** 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Starts one relay + node, samples its idle RSS (MB) from /healthz, stops it by PID. */
async function idleRssSamples(): Promise<{ samples: number[]; exitCode: number | null }> {
  const coordinator = coordinatorIdentity();
  const cluster = await Cluster.create(
    [{ name: 'node1', setup: { provider: 'passphrase', passphrase: newPassphrase() } }],
    { coordinator: coordinator.publicIdentity },
  );
  try {
    const node = await cluster.start('node1');
    await sleep(SETTLE_MS);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const health = await node.health();
      if (health.relay !== 'connected') throw new Error(`node went ${health.relay} while idle`);
      samples.push(mb(health.memoryRss));
      if (i < SAMPLES - 1) await sleep(SAMPLE_GAP_MS);
    }
    const exitCode = await node.stop('SIGTERM');
    return { samples, exitCode };
  } finally {
    await cluster.close();
  }
}

async function measureInChild(): Promise<void> {
  const starts: { samples: number[]; exitCode: number | null }[] = [];
  for (let i = 0; i < STARTS; i++) starts.push(await idleRssSamples());
  const all = starts.flatMap((s) => s.samples);
  const medianMb = round(median(all));
  const maxMb = Math.max(...all);
  printTable(
    `Idle coffer node resident memory (from /healthz, ${SAMPLES} samples over ~${((SETTLE_MS + (SAMPLES - 1) * SAMPLE_GAP_MS) / 1000).toFixed(0)} s per start)`,
    ['start', 'median MB', 'max MB', 'target MB', 'under target', 'exit on SIGTERM'],
    [
      ...starts.map((s, i) => [
        `#${i + 1}`,
        round(median(s.samples)),
        Math.max(...s.samples),
        TARGET_MB,
        Math.max(...s.samples) < TARGET_MB ? 'yes' : 'NO',
        String(s.exitCode),
      ]),
      ['all', medianMb, maxMb, TARGET_MB, maxMb < TARGET_MB ? 'yes' : 'NO', ''],
    ],
  );
  writeResults('node.json', {
    environment: { ...environment(), nodeOptions: process.env.NODE_OPTIONS ?? '' },
    targetMb: TARGET_MB,
    settleMs: SETTLE_MS,
    sampleGapMs: SAMPLE_GAP_MS,
    idleRssMb: { median: medianMb, max: maxMb, underTarget: maxMb < TARGET_MB },
    starts: starts.map((s) => ({ samplesMb: s.samples, exitCodeOnSigterm: s.exitCode })),
  });
}

export const nodeBenchmark: BenchmarkModule = {
  name: 'node',
  run() {
    const child = spawnSync(process.execPath, [RUN_TS, import.meta.filename, CHILD_FLAG], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 120_000,
    });
    if (child.status !== 0) {
      throw new Error(
        `node benchmark failed (exit ${child.status}, ${child.signal ?? 'no signal'})`,
      );
    }
    return join(import.meta.dirname, 'results', 'node.json');
  },
};

// The child exits once its file is written: a lingering keep-alive socket or relay timer
// must not hold the benchmark up.
if (process.argv.includes(CHILD_FLAG)) {
  await measureInChild();
  process.exit(0);
}
