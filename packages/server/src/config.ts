/**
 * Server configuration from the environment (12-factor; secrets are never read from argv).
 * Every variable is validated here, once, with a clear message naming it.
 *
 * | variable                 | meaning                                                       | default                  |
 * | ------------------------ | ------------------------------------------------------------- | ------------------------ |
 * | COFFER_HOST              | listen address                                                | 127.0.0.1                |
 * | COFFER_PORT              | listen port (0 = any free port)                               | 8740                     |
 * | COFFER_DATA_DIR          | embedded PGlite data, bootstrap token                         | ./data                   |
 * | DATABASE_URL             | use this PostgreSQL server instead of PGlite                  | (unset)                  |
 * | COFFER_PUBLIC_ORIGIN     | the origin browsers use (WebAuthn RP, CORS, cookies' Secure)  | http://localhost:<port>  |
 * | COFFER_CORS_ORIGINS      | extra allowed origins, comma-separated                        | (none)                   |
 * | COFFER_REGISTRATION      | `invite` (only with an invite) or `open`                      | invite                   |
 * | COFFER_SESSION_TTL_HOURS | lifetime of a login session                                   | 12                       |
 * | COFFER_BOOTSTRAP_TOKEN   | first-run owner token to use instead of a generated one       | (generated)              |
 * | COFFER_LOG_LEVEL         | pino level                                                    | info                     |
 * | COFFER_RELAY_HOST        | listen address of the relay signing nodes connect to          | 127.0.0.1                |
 * | COFFER_RELAY_PORT        | its port (0 = any free port)                                  | 8741                     |
 * | COFFER_RELAY_PUBLIC_URL  | the relay URL nodes are told to use (GET /v1/coordinator)     | ws://<host>:<port>       |
 * | COFFER_OUTBOUND_ALLOW_PRIVATE | `true`: webhooks and external approvers may be on private addresses | false          |
 */
import { z } from 'zod';

export const ServerConfig = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  publicOrigin: z.url().optional(),
  corsOrigins: z.array(z.url()),
  registration: z.enum(['invite', 'open']),
  sessionTtlHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  bootstrapToken: z.string().min(16, 'must be at least 16 characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  relayHost: z.string().min(1),
  relayPort: z.coerce.number().int().min(0).max(65535),
  relayPublicUrl: z
    .string()
    .regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL')
    .optional(),
  /** Webhooks and external approvers may resolve to private addresses (outbound-destination.ts). */
  outboundAllowPrivate: z.boolean(),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const ENV_OF: Record<string, string> = {
  host: 'COFFER_HOST',
  port: 'COFFER_PORT',
  dataDir: 'COFFER_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  publicOrigin: 'COFFER_PUBLIC_ORIGIN',
  corsOrigins: 'COFFER_CORS_ORIGINS',
  registration: 'COFFER_REGISTRATION',
  sessionTtlHours: 'COFFER_SESSION_TTL_HOURS',
  bootstrapToken: 'COFFER_BOOTSTRAP_TOKEN',
  logLevel: 'COFFER_LOG_LEVEL',
  relayHost: 'COFFER_RELAY_HOST',
  relayPort: 'COFFER_RELAY_PORT',
  relayPublicUrl: 'COFFER_RELAY_PUBLIC_URL',
  outboundAllowPrivate: 'COFFER_OUTBOUND_ALLOW_PRIVATE',
};

/** Reads the configuration from `env`, with `overrides` (tests, `coffer up`) winning. */
export function loadServerConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  const value = (name: string) => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  /** `true`/`false` (absent: false); anything else is left for the schema to refuse. */
  const booleanValue = (name: string): unknown => {
    const v = value(name);
    return v === undefined ? false : v === 'true' ? true : v === 'false' ? false : v;
  };
  const raw = {
    host: value('COFFER_HOST') ?? '127.0.0.1',
    port: value('COFFER_PORT') ?? 8740,
    dataDir: value('COFFER_DATA_DIR') ?? './data',
    databaseUrl: value('DATABASE_URL'),
    publicOrigin: value('COFFER_PUBLIC_ORIGIN'),
    corsOrigins: (value('COFFER_CORS_ORIGINS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    registration: value('COFFER_REGISTRATION') ?? 'invite',
    sessionTtlHours: value('COFFER_SESSION_TTL_HOURS') ?? 12,
    bootstrapToken: value('COFFER_BOOTSTRAP_TOKEN'),
    logLevel: value('COFFER_LOG_LEVEL') ?? 'info',
    relayHost: value('COFFER_RELAY_HOST') ?? '127.0.0.1',
    relayPort: value('COFFER_RELAY_PORT') ?? 8741,
    relayPublicUrl: value('COFFER_RELAY_PUBLIC_URL'),
    outboundAllowPrivate: booleanValue('COFFER_OUTBOUND_ALLOW_PRIVATE'),
    ...overrides,
  };
  const parsed = ServerConfig.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    throw new ConfigError(`${ENV_OF[key] ?? key}: ${issue.message}`);
  }
  return parsed.data;
}

/** The origin browsers use; WebAuthn's relying party and the cookie's Secure flag follow it. */
export function publicOrigin(config: ServerConfig, boundPort: number): string {
  return config.publicOrigin ?? `http://localhost:${boundPort}`;
}
