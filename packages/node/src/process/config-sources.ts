/**
 * Where the `coffer node` configuration comes from: an optional JSON file (`--config FILE`
 * or COFFER_NODE_CONFIG) overlaid with environment variables (the table below, also in
 * `coffer node --help` and CONFIG.md), then validated as one document by `parseNodeConfig`.
 * Secret values are never read here — only at start-up, from the variables the document
 * names (key-provider-config.ts).
 */
import { readFile } from 'node:fs/promises';
import { configError } from './config-reader.js';
import type { JsonObject } from './config-reader.js';
import { parseNodeConfig } from './node-config.js';
import type { NodeConfig } from './node-config.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Environment variables that override (or supply) configuration, with their paths. */
export const CONFIG_ENV_VARS = {
  COFFER_NODE_CONFIG: 'path of the JSON config file (when --config is not given)',
  COFFER_NODE_DATA_DIR: 'dataDir',
  COFFER_NODE_KEYSTORE_PROVIDER: 'keystore.provider (passphrase | pkcs11 | kms)',
  COFFER_NODE_PKCS11_MODULE: 'keystore.modulePath',
  COFFER_NODE_PKCS11_TOKEN_LABEL: 'keystore.tokenLabel',
  COFFER_NODE_PKCS11_KEY_LABEL: 'keystore.keyLabel',
  COFFER_NODE_RELAY_URL: 'relay.url',
  COFFER_NODE_RELAY_SERVER_ID: 'relay.serverId',
  COFFER_NODE_ENROLMENT_FILE: 'enrolment, read from this JSON file',
  COFFER_NODE_HEALTH_PORT: 'health.port',
  COFFER_NODE_LOG_LEVEL: 'log.level',
} as const;

export interface ConfigSources {
  /** From `--config`; falls back to COFFER_NODE_CONFIG. */
  readonly configFile?: string;
  readonly env: Environment;
}

/** Reads, merges and validates the configuration. Throws NodeError CONFIG_INVALID. */
export async function loadNodeConfig(sources: ConfigSources): Promise<NodeConfig> {
  const env = sources.env;
  const file = sources.configFile ?? nonEmpty(env.COFFER_NODE_CONFIG);
  const document: Record<string, unknown> =
    file === undefined ? {} : { ...(await readJsonObject(file, 'config file')) };
  const set = (variable: keyof typeof CONFIG_ENV_VARS, apply: (value: string) => void) => {
    const value = nonEmpty(env[variable]);
    if (value !== undefined) apply(value);
  };
  const section = (name: string): Record<string, unknown> => {
    const current = document[name];
    const copy =
      typeof current === 'object' && current !== null && !Array.isArray(current)
        ? { ...(current as JsonObject) }
        : {};
    document[name] = copy;
    return copy;
  };
  set('COFFER_NODE_DATA_DIR', (v) => (document.dataDir = v));
  set('COFFER_NODE_KEYSTORE_PROVIDER', (v) => {
    const keystore = section('keystore');
    if (keystore.provider !== v) document.keystore = { provider: v };
  });
  set('COFFER_NODE_PKCS11_MODULE', (v) => (section('keystore').modulePath = v));
  set('COFFER_NODE_PKCS11_TOKEN_LABEL', (v) => (section('keystore').tokenLabel = v));
  set('COFFER_NODE_PKCS11_KEY_LABEL', (v) => (section('keystore').keyLabel = v));
  set('COFFER_NODE_RELAY_URL', (v) => (section('relay').url = v));
  set('COFFER_NODE_RELAY_SERVER_ID', (v) => (section('relay').serverId = v));
  set('COFFER_NODE_HEALTH_PORT', (v) => (section('health').port = v));
  set('COFFER_NODE_LOG_LEVEL', (v) => (section('log').level = v));
  const enrolmentFile = nonEmpty(env.COFFER_NODE_ENROLMENT_FILE);
  if (enrolmentFile !== undefined) {
    document.enrolment = await readJsonObject(enrolmentFile, 'enrolment file');
  }
  return parseNodeConfig(document);
}

async function readJsonObject(path: string, what: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw configError('', `cannot read ${what} ${path} (${code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw configError('', `${what} ${path} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError('', `${what} ${path} must hold a JSON object`);
  }
  return value as JsonObject;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
