/** `coffer demo` runs a real ceremony end to end and exits 0. */
import { describe, expect, it } from 'vitest';
import { runCoffer } from './run-coffer.js';

describe('coffer demo', () => {
  it(
    'signs with an authorised quorum, verifies, refuses an unauthorised one, and exits 0',
    {
      timeout: 120_000,
    },
    async () => {
      const run = await runCoffer(['demo']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('3of(2of(ops1,ops2,ops3),1of(api1,api2),head)');
      // Three ceremonies: frost-taproot, frost-ed25519 and threshold ECDSA.
      expect(run.stdout.match(/: VALID/g)).toHaveLength(3);
      expect(
        run.stdout.match(/refused: signers \{ops1, api1, head\} do not satisfy/g),
      ).toHaveLength(3);
      expect(run.stdout).toContain('npx coffer tss verify --scheme frost-taproot --public-key');
      expect(run.stdout).toContain('npx coffer tss verify --scheme ecdsa-secp256k1 --public-key');
    },
  );
});
