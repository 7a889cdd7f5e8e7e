/**
 * The three signing nodes of `coffer up`, prepared in-process before they run as child
 * processes: each gets a private directory under <data>/nodes/, a DEVELOPMENT keystore
 * (passphrase provider, scrypt N = 2^15 so it opens quickly, the generated passphrase kept in
 * `dev-passphrase` beside it with mode 0600), its identity (created on first start, reused
 * after: same node ids every time), and a `node.json` config naming the server's relay and
 * the enrolment {coordinator: the server's coordinator identity, peers: the three nodes}.
 *
 * Production nodes differ: each runs on its own host under its own operator, the keystore
 * key lives in an HSM (pkcs11) or a KMS, or the passphrase comes from a secret manager —
 * never from a file beside the keystore (packages/node CONFIG.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeIdentity, openNodeKeystore, parseNodeConfig } from '@coffer/node';
import type { CoordinatorInfo, NodePublicIdentity } from '@coffer/protocol';

const PASSPHRASE_ENV = 'COFFER_NODE_PASSPHRASE';
const KEYSTORE = { provider: 'passphrase', scryptLogN: 15 } as const;

export interface LocalNode {
  readonly name: string;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly identity: NodePublicIdentity;
  /** The child's secret environment: the keystore passphrase. */
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** Creates (first start) or reopens (later starts) one node's directory, keystore and identity. */
export async function prepareLocalNode(name: string, dir: string): Promise<LocalNode> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passphrase = readOrCreatePassphrase(join(dir, 'dev-passphrase'));
  const keystore = await openNodeKeystore({
    config: parseNodeConfig({ dataDir: dir, keystore: KEYSTORE }),
    env: { [PASSPHRASE_ENV]: passphrase },
  });
  let identity: NodePublicIdentity;
  try {
    const loaded = await NodeIdentity.loadOrCreate(keystore);
    identity = loaded.publicIdentity();
    loaded.destroy();
  } finally {
    await keystore.close();
  }
  return {
    name,
    dir,
    configFile: join(dir, 'node.json'),
    logFile: join(dir, 'node.log'),
    identity,
    secretEnv: { [PASSPHRASE_ENV]: passphrase },
  };
}

/** Writes the node's config for this start: the relay may move (another port) between starts. */
export function writeLocalNodeConfig(
  node: LocalNode,
  coordinator: CoordinatorInfo,
  peers: readonly NodePublicIdentity[],
): void {
  const config = {
    dataDir: node.dir,
    keystore: KEYSTORE,
    relay: { url: coordinator.relayUrl, serverId: coordinator.serverId },
    enrolment: {
      coordinator: {
        nodeId: coordinator.nodeId,
        signingKey: coordinator.signingKey,
        encryptionKey: coordinator.encryptionKey,
      },
      peers,
    },
    health: { host: '127.0.0.1', port: 0 },
    log: { level: 'info' },
  };
  writeFileSync(node.configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

function readOrCreatePassphrase(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const passphrase = randomBytes(32).toString('base64url');
    writeFileSync(file, `${passphrase}\n`, { mode: 0o600, flag: 'wx' });
    return passphrase;
  }
}
