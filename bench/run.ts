/**
 * `npm run bench [-- NAME...]`: runs the benchmark modules (all, or those named) and writes
 * each one's results under bench/results/. A new module (e.g. threshold ECDSA) is one entry
 * in BENCHMARKS.
 */
import { ecdsaBenchmark } from './ecdsa.js';
import { frostBenchmark } from './frost.js';
import type { BenchmarkModule } from './harness.js';
import { nodeBenchmark } from './node.js';

const BENCHMARKS: readonly BenchmarkModule[] = [frostBenchmark, ecdsaBenchmark, nodeBenchmark];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(
    `bench: unknown benchmark ${unknown.join(', ')} (available: ${BENCHMARKS.map((b) => b.name).join(', ')})`,
  );
  process.exit(2);
}
for (const benchmark of BENCHMARKS) {
  if (wanted.length > 0 && !wanted.includes(benchmark.name)) continue;
  const path = benchmark.run();
  console.log(`\nwrote ${path}`);
}
