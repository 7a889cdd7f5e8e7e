/**
 * Outbound destinations (http/outbound-destination.ts): the server refuses to send webhooks or
 * external-approver calls to private or reserved addresses — by IP literal or by a name that
 * resolves there — unless COFFER_OUTBOUND_ALLOW_PRIVATE is set; a literal loopback over plain
 * http (development) stays allowed. Checked through the external-approver client too: a call to
 * an endpoint resolving to 10.x is never sent, and the refusal is the attempt's error.
 */
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../src/config.js';
import { destinationRefusal, isReservedAddress } from '../src/http/outbound-destination.js';
import { callExternalApprover } from '../src/modules/external-approvers/client.js';

const resolver = (answers: Record<string, string[]>) => (host: string) =>
  answers[host] ? Promise.resolve(answers[host]) : Promise.reject(new Error('ENOTFOUND'));

describe('outbound destinations', () => {
  it('classifies private and reserved addresses, IPv4 and IPv6', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
    ]) {
      expect(isReservedAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111']) {
      expect(isReservedAddress(address), address).toBe(false);
    }
  });

  it('refuses URLs that are or resolve to reserved addresses, unless allowed', async () => {
    const resolve = resolver({
      'hooks.example.com': ['93.184.216.34'],
      'metadata.example.com': ['93.184.216.34', '169.254.169.254'],
    });
    expect(await destinationRefusal('https://hooks.example.com/x', false, resolve)).toBeNull();
    expect(await destinationRefusal('https://metadata.example.com/x', false, resolve)).toMatch(
      /private or reserved address \(169\.254\.169\.254\).*COFFER_OUTBOUND_ALLOW_PRIVATE/,
    );
    expect(await destinationRefusal('https://10.0.0.5/hook', false, resolve)).toMatch(
      /10\.0\.0\.5/,
    );
    expect(await destinationRefusal('https://[fd00::1]/hook', false, resolve)).toMatch(/fd00::1/);
    expect(await destinationRefusal('https://10.0.0.5/hook', true, resolve)).toBeNull();
    expect(await destinationRefusal('https://nowhere.example/x', false, resolve)).toMatch(
      /cannot resolve nowhere\.example/,
    );
    // The development allowance: plain http to a literal loopback host.
    expect(await destinationRefusal('http://127.0.0.1:9/hook', false, resolve)).toBeNull();
    expect(await destinationRefusal('http://localhost:9/hook', false, resolve)).toBeNull();
    expect(
      await destinationRefusal(
        'https://localhost/hook',
        false,
        resolver({ localhost: ['127.0.0.1'] }),
      ),
    ).toMatch(/127\.0\.0\.1/);
  });

  it('keeps an external-approver call from ever being sent to a private address', async () => {
    let sent = 0;
    const call = {
      callId: 'call_1',
      orgId: 'org_1',
      requestId: 'sig_1',
      endpointId: 'aml',
      stage: 0,
      onTimeout: 'fail' as const,
      payload: { intentHash: '00' },
      attempts: 1,
      deadlineAt: new Date(Date.now() + 60_000),
      url: 'https://aml.corp.example/check',
      secret: 'whsec_x',
      publicKey: '11'.repeat(32),
    };
    const result = await callExternalApprover(call, {
      timeoutMs: 1_000,
      allowPrivateDestinations: false,
      resolve: resolver({ 'aml.corp.example': ['10.20.30.40'] }),
      fetch: () => {
        sent += 1;
        return Promise.reject(new Error('must not be called'));
      },
    });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/10\.20\.30\.40/) });
    expect(sent).toBe(0);
  });

  it('is configured by COFFER_OUTBOUND_ALLOW_PRIVATE (default: refuse)', () => {
    expect(loadServerConfig({}).outboundAllowPrivate).toBe(false);
    expect(loadServerConfig({ COFFER_OUTBOUND_ALLOW_PRIVATE: 'true' }).outboundAllowPrivate).toBe(
      true,
    );
    expect(() => loadServerConfig({ COFFER_OUTBOUND_ALLOW_PRIVATE: 'yes' })).toThrow(
      /COFFER_OUTBOUND_ALLOW_PRIVATE/,
    );
  });
});
