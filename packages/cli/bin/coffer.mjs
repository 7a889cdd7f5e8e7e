#!/usr/bin/env node
/**
 * The `coffer` command. Loads the TypeScript sources through tsx (no build step).
 *
 * Every command goes through tsx's ESM loader, except the long-running signing node
 * (`coffer node [options]`): Node 20 runs ESM loader hooks on a separate thread — a second
 * V8 isolate costing ~20 MB of resident memory for the life of the process — so the node
 * loads the same sources in-thread through tsx's CommonJS hooks instead (esbuild turns each
 * file into CommonJS; ESM-only dependencies load through require(esm), Node >= 20.19). While
 * the sources load, esbuild is told not to start its worker thread for synchronous
 * transforms (on a cold tsx cache it would linger as another isolate); it runs as a short
 * child process per file instead. And the node's young generation stays at V8's initial
 * 1 MB semi-space (no growth; the same cap as `--max-semi-space-size=1`, set here because a
 * flag on the command line would need a wrapper process): a busy node scavenges more often
 * (ECDSA signing ~5-10% slower in-process, keygen unchanged), an idle one keeps ~10 MB less
 * resident. Issue 4: an idle node stays under 100 MB (bench/node.ts measures it).
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

const args = process.argv.slice(2);
const { main } = isSigningNode(args) ? await loadInThread() : await loadWithEsmLoader();
process.exitCode = await main(args);

/** `coffer node`, `coffer node --config F`, `coffer node --help`: not `coffer node identity`. */
function isSigningNode(argv) {
  return argv[0] === 'node' && (argv.length === 1 || argv[1].startsWith('-'));
}

async function loadWithEsmLoader() {
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/main.ts');
}

async function loadInThread() {
  setFlagsFromString('--semi-space-growth-factor=1');
  const saved = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  try {
    const { register } = await import('tsx/cjs/api');
    register();
    return createRequire(import.meta.url)('../src/main.ts');
  } finally {
    if (saved === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = saved;
  }
}
