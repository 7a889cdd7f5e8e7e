/**
 * Persistence of a running session's secret state between rounds (issue 4, "persistence of
 * state between rounds"): one keystore record per session, sealed by the keystore's key
 * provider, written atomically BEFORE the round's outbound messages are sent. A record holds
 * the protocol, the round reached, the driver's serialised state and — while a round's input
 * is being processed — that input, so a restart can re-drive exactly that step and hit the
 * usage ledger (fail closed) instead of running a consumed round again. Also the key-share
 * records the drivers write (`keyShareRecord`) and the vault genesis stored with a key.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { parseVaultGenesis, type VaultGenesis } from '../approvals/genesis.js';
import { NodeError, isNodeError } from '../errors.js';
import type { Keystore } from '../keystore/index.js';
import { PROTOCOL_NAMES, type InboundMessage, type ProtocolName } from './types.js';

export interface SessionRecord {
  readonly v: 1;
  readonly sessionId: string;
  readonly protocol: ProtocolName;
  /** Rounds completed by this node (0 after `start`). */
  readonly round: number;
  readonly state: string;
  /** The input of round `round + 1`, present only while that step is being processed. */
  readonly pendingInbound: readonly InboundMessage[] | null;
}

/** Keystore record name of a session (record names are short; session ids may be 128 hex). */
export function sessionRecordName(sessionId: string): string {
  return `session.${bytesToHex(sha256(utf8ToBytes(sessionId))).slice(0, 40)}`;
}

/**
 * Keystore record name of a stored key share — `<kind>.<keyId>`, keyId lowercase hex — or of
 * the genesis document stored with it (`key-genesis.<keyId>`, approvals/genesis.ts).
 */
export function keyShareRecord(
  kind: 'frost-share' | 'dkls23-share' | 'key-genesis' | 'key-policy-version',
  keyId: string,
): string {
  if (!/^[0-9a-f]{16,64}$/.test(keyId)) {
    throw new NodeError('INVALID_RECORD_NAME', 'key ids are 8..32 bytes of lowercase hex');
  }
  return `${kind}.${keyId}`;
}

export async function saveSessionRecord(keystore: Keystore, record: SessionRecord): Promise<void> {
  await keystore.put(sessionRecordName(record.sessionId), utf8ToBytes(JSON.stringify(record)));
}

/** The persisted record of `sessionId`, or undefined when none. */
export async function loadSessionRecord(
  keystore: Keystore,
  sessionId: string,
): Promise<SessionRecord | undefined> {
  const name = sessionRecordName(sessionId);
  let bytes: Uint8Array;
  try {
    bytes = await keystore.get(name);
  } catch (error) {
    if (isNodeError(error, 'RECORD_NOT_FOUND')) return undefined;
    throw error;
  }
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  const ok =
    value.v === 1 &&
    value.sessionId === sessionId &&
    PROTOCOL_NAMES.includes(value.protocol as ProtocolName) &&
    Number.isSafeInteger(value.round) &&
    typeof value.state === 'string' &&
    (value.pendingInbound === null || Array.isArray(value.pendingInbound));
  if (!ok) throw new NodeError('RECORD_CORRUPT', 'malformed session record', { record: name });
  return value as unknown as SessionRecord;
}

export async function deleteSessionRecord(keystore: Keystore, sessionId: string): Promise<void> {
  await keystore.delete(sessionRecordName(sessionId));
}

/** Stores the genesis of key `keyId` (before its share, so no share exists without it). */
export async function saveKeyGenesis(
  keystore: Keystore,
  keyId: string,
  genesis: VaultGenesis,
): Promise<void> {
  await keystore.put(keyShareRecord('key-genesis', keyId), utf8ToBytes(JSON.stringify(genesis)));
}

/** The genesis stored with key `keyId`, or undefined for a key generated without one. */
export async function loadKeyGenesis(
  keystore: Keystore,
  keyId: string,
): Promise<VaultGenesis | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await keystore.get(keyShareRecord('key-genesis', keyId));
  } catch (error) {
    if (isNodeError(error, 'RECORD_NOT_FOUND')) return undefined;
    throw error;
  }
  return parseVaultGenesis(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/**
 * The highest published policy version this node has accepted evidence under for key `keyId`
 * (1: none yet). Evidence judged under a lower version is refused from then on, so a
 * coordinator cannot roll a key back to a superseded, laxer policy once the node has seen the
 * newer one (APPROVALS.md "Evidence v2").
 */
export async function loadPolicyHighWater(keystore: Keystore, keyId: string): Promise<number> {
  try {
    const bytes = await keystore.get(keyShareRecord('key-policy-version', keyId));
    const value = Number(Buffer.from(bytes).toString('utf8'));
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new NodeError('RECORD_CORRUPT', 'the policy version record is not a version');
    }
    return value;
  } catch (error) {
    if (isNodeError(error, 'RECORD_NOT_FOUND')) return 1;
    throw error;
  }
}

export async function savePolicyHighWater(
  keystore: Keystore,
  keyId: string,
  policyVersion: number,
): Promise<void> {
  await keystore.put(
    keyShareRecord('key-policy-version', keyId),
    utf8ToBytes(String(policyVersion)),
  );
}
