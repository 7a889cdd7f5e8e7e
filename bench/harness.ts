/**
 * A small benchmark harness: runs a function until both a minimum number of runs and a
 * minimum time are reached (after warm-up), reports mean and median milliseconds, prints
 * aligned tables and writes JSON results under bench/results/. Measurements, not assertions:
 * nothing here fails on a slow machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';

/** One benchmark of `npm run bench` (bench/run.ts lists them). */
export interface BenchmarkModule {
  /** The name `npm run bench -- NAME` selects. */
  readonly name: string;
  /** Runs, prints its tables, writes its file under bench/results/ and returns its path. */
  run(): string;
}

export interface Measurement {
  readonly name: string;
  readonly runs: number;
  readonly meanMs: number;
  readonly medianMs: number;
}

export interface MeasureOptions {
  readonly minRuns?: number;
  readonly minMs?: number;
  readonly warmup?: number;
}

export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Measurement {
  const { minRuns = 5, minMs = 1000, warmup = 1 } = options;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return summarise(name, times);
}

function summarise(name: string, times: number[]): Measurement {
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const median = times[Math.floor(times.length / 2)]!;
  return { name, runs: times.length, meanMs: round(mean), medianMs: round(median) };
}

/**
 * Two functions measured in alternation (a, b, a, b, …) until both reach the minimum runs and
 * time, so that a change in machine load affects both alike: for ratios such as one party's
 * signing over the single-party floor.
 */
export function measurePair(
  names: readonly [string, string],
  fns: readonly [() => unknown, () => unknown],
  options: MeasureOptions = {},
): [Measurement, Measurement] {
  const { minRuns = 5, minMs = 1000, warmup = 1 } = options;
  for (let i = 0; i < warmup; i++) fns.forEach((fn) => fn());
  const times: [number[], number[]] = [[], []];
  const start = performance.now();
  while (times[0].length < minRuns || performance.now() - start < 2 * minMs) {
    fns.forEach((fn, i) => {
      const t = performance.now();
      fn();
      times[i]!.push(performance.now() - t);
    });
  }
  return [summarise(names[0], times[0]), summarise(names[1], times[1])];
}

export const round = (x: number): number => Math.round(x * 1000) / 1000;

export function printTable(
  title: string,
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): void {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(cells[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function environment() {
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString(),
  };
}

export function writeResults(file: string, data: unknown): string {
  const path = join(import.meta.dirname, 'results', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
