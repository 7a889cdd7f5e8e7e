/**
 * A vault's genesis document (ARCHITECTURE.md "The trust chain for approvals", step 1):
 * `{ v: 1, vaultId, orgId, policy }`, where `policy` is the vault's first approval policy in
 * the node's format (policy.ts) — the approvers who may authorise signatures with this key and
 * their quorum. It reaches the node in the params of the key-generation session (`dkg`,
 * `dkls23-keygen`); its hash — SHA-256 of its canonical JSON — is bound into the DKG
 * (`genesisBoundSessionId`), so nodes given different documents derive different protocol
 * contexts and the DKG aborts. The node stores the document with the key share and, from then
 * on, judges signing evidence for that key against this policy, not against anything the
 * coordinator sends later.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '@coffer/protocol';
import { PolicyError } from './errors.js';
import { checkApprovalPolicy, type ApprovalPolicy } from './policy.js';

export const GENESIS_VERSION = 1;

export interface VaultGenesis {
  readonly v: 1;
  readonly vaultId: string;
  readonly orgId: string;
  readonly policy: ApprovalPolicy;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BINDING_DOMAIN = 'coffer/dkg-genesis/v1';

function bad(message: string): never {
  throw new PolicyError('POLICY_MALFORMED', `genesis: ${message}`);
}

/** Validates an untrusted genesis document (throws PolicyError POLICY_MALFORMED). */
export function parseVaultGenesis(value: unknown): VaultGenesis {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    bad('must be an object');
  }
  const keys = Object.keys(value);
  const fields = ['v', 'vaultId', 'orgId', 'policy'];
  if (keys.length !== fields.length || !fields.every((f) => keys.includes(f))) {
    bad(`needs exactly the fields ${fields.join(', ')}`);
  }
  const g = value as Record<string, unknown>;
  if (g.v !== GENESIS_VERSION) bad('unsupported version');
  if (typeof g.vaultId !== 'string' || !ID.test(g.vaultId)) bad('vaultId is malformed');
  if (typeof g.orgId !== 'string' || !ID.test(g.orgId)) bad('orgId is malformed');
  const policy = checkApprovalPolicy(g.policy);
  if (policy.vaultId !== g.vaultId) bad("the policy's vaultId is not the genesis vaultId");
  return { v: 1, vaultId: g.vaultId, orgId: g.orgId, policy };
}

/** SHA-256 of the genesis document's canonical JSON, lowercase hex. */
export function genesisHash(genesis: VaultGenesis): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(genesis))));
}

/**
 * The session id the DKG's own transcript uses when a genesis is given:
 * SHA-256(domain ‖ session id ‖ genesis hash), hex. The crypto layer binds it into the
 * proofs of knowledge, the chain-code commitments and the transcript hash (the key id), and
 * drops any round message carrying another one — so parties holding different genesis
 * documents cannot complete a DKG together, and the key id commits to the genesis.
 */
export function genesisBoundSessionId(sessionId: string, genesisHashHex: string): string {
  return bytesToHex(
    sha256(
      concatBytes(utf8ToBytes(BINDING_DOMAIN), hexToBytes(sessionId), hexToBytes(genesisHashHex)),
    ),
  );
}
