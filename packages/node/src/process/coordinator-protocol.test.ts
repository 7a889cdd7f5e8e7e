/**
 * The coordinator ↔ node wire format: commands and reports round-trip, unknown fields and
 * versions are refused, and an output holding a secret-named field is never reported.
 */
import { describe, expect, it } from 'vitest';
import {
  assertPublicOutput,
  decodeSessionCommand,
  decodeSessionReport,
  encodeMessage,
  newControlSessionId,
} from './coordinator-protocol.js';
import type { SessionCommand, SessionReport } from './coordinator-protocol.js';

const request = {
  sessionId: '00'.repeat(16),
  protocol: 'dkg',
  params: { group: 'ed25519', structure: '2of3' },
  participants: { p1: 'a', p2: 'b' },
} as const;

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('coordinator protocol', () => {
  it('round-trips a command and both kinds of report', () => {
    const command: SessionCommand = { v: 1, type: 'session-command', action: 'run', request };
    expect(decodeSessionCommand(encodeMessage(command))).toEqual(command);
    const done: SessionReport = {
      v: 1,
      type: 'session-report',
      sessionId: request.sessionId,
      protocol: 'dkg',
      status: 'completed',
      output: { publicKey: 'ab' },
    };
    expect(decodeSessionReport(encodeMessage(done))).toEqual(done);
    const aborted: SessionReport = {
      v: 1,
      type: 'session-report',
      sessionId: request.sessionId,
      protocol: 'dkg',
      status: 'aborted',
      code: 'TIMEOUT',
      culprits: ['p2'],
      message: 'TIMEOUT: p2 missed round 2',
    };
    expect(decodeSessionReport(encodeMessage(aborted))).toEqual(aborted);
  });

  it('refuses unknown fields, versions, actions and non-JSON', () => {
    const good = { v: 1, type: 'session-command', action: 'run', request };
    for (const bad of [
      { ...good, extra: 1 },
      { ...good, v: 2 },
      { ...good, action: 'delete' },
      { ...good, request: { protocol: 'dkg' } },
    ]) {
      expect(() => decodeSessionCommand(bytes(bad))).toThrow(/MALFORMED_MESSAGE/);
    }
    expect(() => decodeSessionCommand(new Uint8Array([0xff, 0x00]))).toThrow(/MALFORMED_MESSAGE/);
  });

  it('refuses to report an output with a secret-named field at any depth', () => {
    expect(() => assertPublicOutput({ publicKey: 'ab', signature: 'cd' })).not.toThrow();
    expect(() => assertPublicOutput({ a: [{ b: { secretShare: 'x' } }] })).toThrow(
      /OUTPUT_NOT_PUBLIC: output.a\[0\].b.secretShare/,
    );
    expect(() => assertPublicOutput({ keyShare: {} })).toThrow(/OUTPUT_NOT_PUBLIC/);
  });

  it('draws fresh 32-byte control session ids', () => {
    const id = newControlSessionId();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(newControlSessionId()).not.toBe(id);
  });
});
