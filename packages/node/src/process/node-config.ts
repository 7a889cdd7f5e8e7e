/**
 * The `coffer node` configuration (documented in packages/node/CONFIG.md and `coffer node
 * --help`): data directory, keystore provider by name (passphrase, pkcs11, kms — issue 4,
 * "Keystore"), relay URL, enrolment (peer nodes, the coordinator, approver keys), loopback
 * health endpoint and log level. `parseNodeConfig` validates a merged JSON document strictly
 * (unknown keys rejected, errors name the path). The document never holds a secret: for the
 * passphrase, PIN and KMS key it names the environment variable to read at start-up.
 */
import { isIP } from 'node:net';
import { PolicyError, acceptApprovalPolicy, checkApprovalPolicy } from '../approvals/index.js';
import type { AdminRoster, ApprovalPolicy, SignedApprovalPolicy } from '../approvals/index.js';
import type { PeerIdentity } from '../transport/identity-types.js';
import {
  configError,
  optionalString,
  readArray,
  readEnvVarName,
  readInteger,
  readObject,
  readOneOf,
  readString,
} from './config-reader.js';
import { parsePublicIdentity } from './enrolment.js';

export const DEFAULT_PASSPHRASE_ENV = 'COFFER_NODE_PASSPHRASE';
export const DEFAULT_PKCS11_PIN_ENV = 'COFFER_NODE_PKCS11_PIN';
export const DEFAULT_KMS_KEY_ENV = 'COFFER_KMS_KEY';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type KeystoreConfig =
  | {
      readonly provider: 'passphrase';
      /** Name of the env var holding the passphrase. */
      readonly passphraseEnv: string;
      /** log2 of scrypt's N for a new keystore (14..20; default 17). */
      readonly scryptLogN?: number;
    }
  | {
      readonly provider: 'pkcs11';
      readonly modulePath: string;
      readonly tokenLabel: string;
      readonly keyLabel: string;
      /** Name of the env var holding the token's user PIN. */
      readonly pinEnv: string;
    }
  | {
      readonly provider: 'kms';
      /** Name of the env var holding the base64 256-bit key. */
      readonly keyEnv: string;
      /** Non-secret key id; default: the env var COFFER_KMS_KEY_ID. */
      readonly keyId?: string;
    };

export interface RelayConfig {
  /** ws:// or wss:// URL of the relay server; the node connects outbound. */
  readonly url: string;
  /** Pin the relay's server id (challenges from any other id are refused). */
  readonly serverId?: string;
}

export interface EnrolmentConfig {
  /** The coordinator whose signed session requests this node accepts. */
  readonly coordinator: PeerIdentity;
  /** The other signing nodes. */
  readonly peers: readonly PeerIdentity[];
  /**
   * The approval gate's policy (approver keys and quorum; APPROVALS.md). Configured either
   * signed by the vault's admin quorum (`{ admins, signedPolicy }`, verified here) or, by
   * the node's operator directly, as `{ policy }`. Without it, signing is always refused.
   */
  readonly approvals?: ApprovalPolicy;
  /**
   * The organisations (ids) this node serves: key generation for any other organisation, or
   * without a vault genesis, is refused, so another tenant of the same coordinator cannot
   * use this node. Absent: any organisation.
   */
  readonly organisations?: readonly string[];
}

export interface NodeConfig {
  readonly dataDir: string;
  readonly keystore: KeystoreConfig;
  readonly relay?: RelayConfig;
  readonly enrolment?: EnrolmentConfig;
  readonly health: { readonly host: string; readonly port: number };
  /** Per-round deadline of a protocol session (default 30 s). */
  readonly sessions: { readonly roundTimeoutMs: number };
  readonly log: { readonly level: LogLevel };
}

/** A configuration complete enough to run (relay and enrolment present). */
export interface RunnableNodeConfig extends NodeConfig {
  readonly relay: RelayConfig;
  readonly enrolment: EnrolmentConfig;
}

const TOP_KEYS = ['dataDir', 'keystore', 'relay', 'enrolment', 'health', 'sessions', 'log'];
export const DEFAULT_ROUND_TIMEOUT_MS = 30_000;

export function parseNodeConfig(value: unknown): NodeConfig {
  const o = readObject(value, '', TOP_KEYS);
  const health = readObject(o.health ?? {}, 'health', ['host', 'port']);
  const log = readObject(o.log ?? {}, 'log', ['level']);
  const sessions = readObject(o.sessions ?? {}, 'sessions', ['roundTimeoutMs']);
  const config: NodeConfig = {
    dataDir: readString(o.dataDir, 'dataDir'),
    keystore: parseKeystore(o.keystore),
    health: {
      host: parseLoopbackHost(health.host ?? '127.0.0.1'),
      port: readInteger(health.port ?? 0, 'health.port', 0, 65535),
    },
    sessions: {
      roundTimeoutMs: readInteger(
        sessions.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS,
        'sessions.roundTimeoutMs',
        1_000,
        600_000,
      ),
    },
    log: { level: readOneOf(log.level ?? 'info', 'log.level', LOG_LEVELS) },
  };
  const relay = o.relay === undefined ? undefined : parseRelay(o.relay);
  const enrolment = o.enrolment === undefined ? undefined : parseEnrolment(o.enrolment);
  return {
    ...config,
    ...(relay === undefined ? {} : { relay }),
    ...(enrolment === undefined ? {} : { enrolment }),
  };
}

/** Throws CONFIG_INVALID unless the relay and the enrolment are configured. */
export function requireRunnable(config: NodeConfig): RunnableNodeConfig {
  if (config.relay === undefined) throw configError('relay', 'is required to run the node');
  if (config.enrolment === undefined) {
    throw configError('enrolment', 'is required to run the node (see "coffer node identity")');
  }
  return { ...config, relay: config.relay, enrolment: config.enrolment };
}

function parseKeystore(value: unknown): KeystoreConfig {
  if (value === undefined) throw configError('keystore', 'is required');
  const provider = readOneOf(
    readObject(value, 'keystore', ['provider', ...PROVIDER_KEYS]).provider,
    'keystore.provider',
    ['passphrase', 'pkcs11', 'kms'] as const,
  );
  switch (provider) {
    case 'passphrase': {
      const o = readObject(value, 'keystore', ['provider', 'passphraseEnv', 'scryptLogN']);
      const passphraseEnv = readEnvVarName(
        o.passphraseEnv,
        'keystore.passphraseEnv',
        DEFAULT_PASSPHRASE_ENV,
      );
      return o.scryptLogN === undefined
        ? { provider, passphraseEnv }
        : {
            provider,
            passphraseEnv,
            scryptLogN: readInteger(o.scryptLogN, 'keystore.scryptLogN', 14, 20),
          };
    }
    case 'pkcs11': {
      const o = readObject(value, 'keystore', [
        'provider',
        'modulePath',
        'tokenLabel',
        'keyLabel',
        'pinEnv',
      ]);
      return {
        provider,
        modulePath: readString(o.modulePath, 'keystore.modulePath'),
        tokenLabel: readString(o.tokenLabel, 'keystore.tokenLabel'),
        keyLabel: readString(o.keyLabel ?? 'coffer-node', 'keystore.keyLabel'),
        pinEnv: readEnvVarName(o.pinEnv, 'keystore.pinEnv', DEFAULT_PKCS11_PIN_ENV),
      };
    }
    case 'kms': {
      const o = readObject(value, 'keystore', ['provider', 'keyEnv', 'keyId']);
      const keyEnv = readEnvVarName(o.keyEnv, 'keystore.keyEnv', DEFAULT_KMS_KEY_ENV);
      const keyId = optionalString(o.keyId, 'keystore.keyId');
      return keyId === undefined ? { provider, keyEnv } : { provider, keyEnv, keyId };
    }
  }
}

const PROVIDER_KEYS = [
  'passphraseEnv',
  'scryptLogN',
  'modulePath',
  'tokenLabel',
  'keyLabel',
  'pinEnv',
  'keyEnv',
  'keyId',
];

function parseRelay(value: unknown): RelayConfig {
  const o = readObject(value, 'relay', ['url', 'serverId']);
  const url = readString(o.url, 'relay.url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError('relay.url', 'is not a URL');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw configError('relay.url', 'must be a ws:// or wss:// URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw configError('relay.url', 'must not carry credentials');
  }
  const serverId = optionalString(o.serverId, 'relay.serverId');
  return serverId === undefined ? { url } : { url, serverId };
}

function parseEnrolment(value: unknown): EnrolmentConfig {
  const o = readObject(value, 'enrolment', ['coordinator', 'peers', 'approvals', 'organisations']);
  if (o.coordinator === undefined) throw configError('enrolment.coordinator', 'is required');
  const coordinator = parsePublicIdentity(o.coordinator, 'enrolment.coordinator');
  const peers = readArray(o.peers ?? [], 'enrolment.peers').map((p, i) =>
    parsePublicIdentity(p, `enrolment.peers[${i}]`),
  );
  const ids = new Set<string>([coordinator.nodeId]);
  for (const [i, peer] of peers.entries()) {
    if (ids.has(peer.nodeId)) {
      throw configError(`enrolment.peers[${i}]`, `repeats node id ${peer.nodeId}`);
    }
    ids.add(peer.nodeId);
  }
  const organisations =
    o.organisations === undefined
      ? undefined
      : readArray(o.organisations, 'enrolment.organisations').map((id, i) => {
          const path = `enrolment.organisations[${i}]`;
          const orgId = readString(id, path);
          if (!/^[A-Za-z0-9._:-]{1,128}$/.test(orgId)) throw configError(path, 'is not an id');
          return orgId;
        });
  return {
    coordinator,
    peers,
    ...(o.approvals === undefined ? {} : { approvals: parseApprovals(o.approvals) }),
    ...(organisations === undefined ? {} : { organisations }),
  };
}

function parseApprovals(value: unknown): ApprovalPolicy {
  const path = 'enrolment.approvals';
  const o = readObject(value, path, ['admins', 'signedPolicy', 'policy']);
  const signed = o.admins !== undefined || o.signedPolicy !== undefined;
  if (signed === (o.policy !== undefined)) {
    throw configError(path, 'needs either { admins, signedPolicy } or { policy }');
  }
  try {
    if (!signed) return checkApprovalPolicy(o.policy);
    if (o.admins === undefined || o.signedPolicy === undefined) {
      throw configError(path, 'needs both admins and signedPolicy');
    }
    return acceptApprovalPolicy(o.signedPolicy as SignedApprovalPolicy, o.admins as AdminRoster);
  } catch (error) {
    if (error instanceof PolicyError) throw configError(path, error.message);
    throw error;
  }
}

function parseLoopbackHost(value: unknown): string {
  const host = readString(value, 'health.host');
  const loopback =
    host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) throw configError('health.host', 'must be a loopback address (127.x.x.x, ::1)');
  return host;
}
