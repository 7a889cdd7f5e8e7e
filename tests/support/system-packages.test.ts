/** The system-package skipping rule: skip loudly locally, fail under COFFER_REQUIRE_ALL_TESTS=1. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandOnPath, requireSystemPackage } from './system-packages.js';

describe('requireSystemPackage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs the tests when the probe finds the package', () => {
    expect(requireSystemPackage('present', () => true, 'present', {})).toBe(true);
  });

  it('skips loudly, naming the package and the apt-get command, when it is missing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(requireSystemPackage('softhsm2', () => false, 'softhsm2', {})).toBe(false);
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toContain('softhsm2');
    expect(String(warn.mock.calls[0]?.[0])).toContain('apt-get install -y softhsm2');
  });

  it('fails instead of skipping under COFFER_REQUIRE_ALL_TESTS=1', () => {
    const env = { COFFER_REQUIRE_ALL_TESTS: '1' };
    expect(() => requireSystemPackage('nats', () => false, 'nats-server', env)).toThrow(
      /nats is required .*apt-get install -y nats-server/,
    );
  });

  it('treats a probe that throws as missing', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const probe = (): boolean => {
      throw new Error('boom');
    };
    expect(requireSystemPackage('x', probe, 'x', {})).toBe(false);
  });

  it('finds commands on PATH', () => {
    expect(commandOnPath('node')).toBe(true);
    expect(commandOnPath('definitely-not-a-command-coffer')).toBe(false);
  });
});
