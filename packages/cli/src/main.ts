/** Entry point of the `coffer` command. */
export function main(argv: readonly string[]): Promise<number> {
  console.error(`coffer: unknown command "${argv.join(' ')}"`);
  return Promise.resolve(2);
}
