/** The node logger censors secret-named fields at any depth up to four levels. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createNodeLogger } from './node-logger.js';

describe('createNodeLogger', () => {
  it('redacts passphrase, pin, key and share fields, nested or not', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createNodeLogger('info', sink);
    log.info(
      {
        passphrase: 'p-secret',
        config: { keystore: { pin: 'pin-secret', key: 'k-secret' } },
        session: { output: { share: 's-secret' } },
        nodeId: 'visible-id',
      },
      'hello',
    );
    const text = lines.join('');
    for (const secret of ['p-secret', 'pin-secret', 'k-secret', 's-secret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('visible-id');
    expect(text).toContain('[redacted]');
  });
});
