/**
 * Test support for clients of the HTTP API (the SDK's and the CLI's tests): the real server
 * app listening on a loopback port — optionally with a real coordinator and relay, as the
 * nodes and vaults routes need — and a helper that expects a call to fail with a
 * CofferApiError.
 */
import pino from 'pino';
import { Coordinator } from '../../../server/src/modules/coordinator/coordinator.js';
import type { ServerConfig } from '../../../server/src/config.js';
import { createTestApp, type TestApp } from '../../../server/test/support/test-app.js';
import { CofferApiError } from '../../src/index.js';

export interface LiveApp {
  readonly t: TestApp;
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function startLiveApp(
  overrides: Partial<ServerConfig> = {},
  options: { coordinator?: boolean } = {},
): Promise<LiveApp> {
  let coordinator: Coordinator | undefined;
  const t = await createTestApp(overrides, undefined, async (db) => {
    if (!options.coordinator) return {};
    coordinator = await Coordinator.start({
      db,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    return { coordinator };
  });
  const baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    t,
    baseUrl,
    async close() {
      await coordinator?.close();
      await t.close();
    },
  };
}

/** Awaits `promise`, which must fail with a CofferApiError; returns that error. */
export async function apiError(promise: Promise<unknown>): Promise<CofferApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CofferApiError) return error;
    throw error;
  }
  throw new Error('expected a CofferApiError, the call succeeded');
}
