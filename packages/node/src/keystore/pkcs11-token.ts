/**
 * PKCS#11 token plumbing for the pkcs11 key provider (PKCS#11 v2.40 §5): loading a module
 * once per process (reference-counted C_Initialize/C_Finalize), finding the slot by token
 * label or slot id, logging in (a rejected PIN becomes WRONG_PIN), and finding or generating
 * the AES-256 wrapping key as a token object that is sensitive and never extractable — a
 * key found on the token without those properties is refused (KEY_UNSAFE).
 */
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { PKCS11, Handle, Template } from 'pkcs11js';
import { NodeError } from '../errors.js';

/** How the provider names its token. */
export interface TokenSelector {
  readonly tokenLabel?: string;
  readonly slotId?: number;
}

/** How the provider names its key. */
export interface KeySelector {
  readonly keyLabel: string;
  readonly createKeyIfMissing?: boolean;
}

interface LoadedModule {
  readonly pkcs11: PKCS11;
  refs: number;
}
const loadedModules = new Map<string, LoadedModule>();
/** Tokens with an open provider in this process (login state is per process and token). */
export const tokensInUse = new Set<string>();

export function acquireModule(modulePath: string): PKCS11 {
  const loaded = loadedModules.get(modulePath);
  if (loaded !== undefined) {
    loaded.refs += 1;
    return loaded.pkcs11;
  }
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(modulePath);
  } catch (error) {
    throw new NodeError('PROVIDER_UNAVAILABLE', `pkcs11: cannot load module ${modulePath}`, {
      cause: error,
    });
  }
  try {
    pkcs11.C_Initialize();
  } catch (error) {
    pkcs11.close();
    throw toNodeError(error, `pkcs11: C_Initialize failed for ${modulePath}`);
  }
  loadedModules.set(modulePath, { pkcs11, refs: 1 });
  return pkcs11;
}

export function releaseModule(modulePath: string): void {
  const loaded = loadedModules.get(modulePath);
  if (loaded === undefined) return;
  loaded.refs -= 1;
  if (loaded.refs > 0) return;
  loadedModules.delete(modulePath);
  try {
    loaded.pkcs11.C_Finalize();
  } finally {
    loaded.pkcs11.close();
  }
}

export function findSlot(pkcs11: PKCS11, options: TokenSelector): Handle {
  const slots = pkcs11.C_GetSlotList(true);
  const matches = slots.filter((slot) =>
    options.tokenLabel !== undefined
      ? pkcs11.C_GetTokenInfo(slot).label.trimEnd() === options.tokenLabel
      : ulong(slot) === options.slotId,
  );
  const wanted =
    options.tokenLabel !== undefined
      ? `token labelled "${options.tokenLabel}"`
      : `slot ${String(options.slotId)}`;
  if (matches.length === 0) throw new NodeError('PROVIDER_UNAVAILABLE', `pkcs11: no ${wanted}`);
  if (matches.length > 1) throw new NodeError('CONFIG_INVALID', `pkcs11: several ${wanted}`);
  return matches[0] as Handle;
}

export function login(pkcs11: PKCS11, session: Handle, pin: string): void {
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (error) {
    const code = pkcs11ErrorCode(error);
    if (code === pkcs11js.CKR_PIN_INCORRECT || code === pkcs11js.CKR_PIN_LEN_RANGE) {
      throw new NodeError('WRONG_PIN', 'pkcs11: the token rejected the user PIN');
    }
    if (code === pkcs11js.CKR_PIN_LOCKED) {
      throw new NodeError('PROVIDER_UNAVAILABLE', 'pkcs11: the user PIN is locked');
    }
    throw toNodeError(error, 'pkcs11: login failed');
  }
}

export function findOrCreateKey(
  pkcs11: PKCS11,
  session: Handle,
  options: KeySelector,
): { handle: Handle; keyId: string } {
  pkcs11.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
  ]);
  let found: Handle[];
  try {
    found = pkcs11.C_FindObjects(session, 2);
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
  if (found.length > 1) {
    throw new NodeError('CONFIG_INVALID', `pkcs11: several keys labelled "${options.keyLabel}"`);
  }
  let handle = found[0];
  if (handle === undefined) {
    if (options.createKeyIfMissing !== true) {
      throw new NodeError('KEY_NOT_FOUND', `pkcs11: no key labelled "${options.keyLabel}"`);
    }
    handle = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_WRAP, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
      { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
      { type: pkcs11js.CKA_ID, value: randomBytes(16) },
    ]);
  }
  const attrs = readAttributes(pkcs11, session, handle, [
    pkcs11js.CKA_KEY_TYPE,
    pkcs11js.CKA_VALUE_LEN,
    pkcs11js.CKA_TOKEN,
    pkcs11js.CKA_SENSITIVE,
    pkcs11js.CKA_EXTRACTABLE,
    pkcs11js.CKA_ENCRYPT,
    pkcs11js.CKA_DECRYPT,
    pkcs11js.CKA_ID,
  ]);
  const flag = (type: number): boolean => (attrs.get(type)?.[0] ?? 0) !== 0;
  const safe =
    ulong(attrs.get(pkcs11js.CKA_KEY_TYPE)) === pkcs11js.CKK_AES &&
    ulong(attrs.get(pkcs11js.CKA_VALUE_LEN)) === 32 &&
    flag(pkcs11js.CKA_TOKEN) &&
    flag(pkcs11js.CKA_SENSITIVE) &&
    !flag(pkcs11js.CKA_EXTRACTABLE) &&
    flag(pkcs11js.CKA_ENCRYPT) &&
    flag(pkcs11js.CKA_DECRYPT);
  if (!safe) {
    throw new NodeError(
      'KEY_UNSAFE',
      `pkcs11: key "${options.keyLabel}" must be a token AES-256 key, sensitive, non-extractable, for encrypt and decrypt`,
    );
  }
  const id = attrs.get(pkcs11js.CKA_ID);
  const keyId =
    id !== undefined && id.length > 0
      ? `${options.keyLabel}#${id.toString('hex')}`
      : options.keyLabel;
  return { handle, keyId };
}

function readAttributes(
  pkcs11: PKCS11,
  session: Handle,
  object: Handle,
  types: readonly number[],
): Map<number, Buffer> {
  const template: Template = types.map((type) => ({ type }));
  return new Map(
    pkcs11.C_GetAttributeValue(session, object, template).map((a) => [a.type, a.value]),
  );
}

export function closeSession(pkcs11: PKCS11, session: Handle): void {
  try {
    pkcs11.C_Logout(session);
  } catch {
    // Not logged in (e.g. the PIN was wrong): nothing to end.
  }
  try {
    pkcs11.C_CloseSession(session);
  } catch {
    // The session is already gone (token removed); nothing left to release.
  }
}

/** A CK_ULONG attribute or slot id: native-endian, 8 bytes on LP64, 4 on 32-bit/Windows. */
function ulong(value: Buffer | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.length === 8) return Number(value.readBigUInt64LE(0));
  if (value.length === 4) return value.readUInt32LE(0);
  return undefined;
}

export function pkcs11ErrorCode(error: unknown): number | undefined {
  return error instanceof pkcs11js.Pkcs11Error ? error.code : undefined;
}

export function toNodeError(error: unknown, context: string): NodeError {
  if (error instanceof NodeError) return error;
  const reason = error instanceof pkcs11js.Pkcs11Error ? error.message : 'native error';
  return new NodeError('PROVIDER_UNAVAILABLE', `${context} (${reason})`, { cause: error });
}
