/**
 * The wire format between the coordinator and a signing node, carried as direct transport
 * messages (signed by the sender's enrolled Ed25519 key and sealed to the recipient, so the
 * relay can neither read nor forge them). The coordinator picks a fresh random control
 * session id per exchange and sends one `SessionCommand`; the node answers on the same
 * control session with one `SessionReport` and then forgets it. Protocol messages between
 * nodes use the request's own `sessionId`, never a control id.
 *
 *   coordinator → node  {"v":1,"type":"session-command","action":"run"|"resume","request":{…}}
 *   node → coordinator  {"v":1,"type":"session-report","sessionId","protocol","status":"completed","output"}
 *                       {"v":1,"type":"session-report","sessionId","protocol","status":"aborted",
 *                        "code","reason"?,"culprits","message"}
 *
 * Reports carry public outputs only (public keys, signatures); `assertPublicOutput` refuses
 * any output holding a field whose name says it could be secret. Unknown fields are refused.
 */
import { randomBytes } from 'node:crypto';
import type { SessionRequest } from '../sessions/runner.js';
import { ControlError } from './errors.js';

export const COORDINATOR_PROTOCOL_VERSION = 1;
export const SESSION_ACTIONS = ['run', 'resume'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

export interface SessionCommand {
  readonly v: 1;
  readonly type: 'session-command';
  readonly action: SessionAction;
  /** Checked here for its ids only; the session runner validates the rest. */
  readonly request: SessionRequest;
}

export type SessionReport =
  | {
      readonly v: 1;
      readonly type: 'session-report';
      readonly sessionId: string;
      readonly protocol: string;
      readonly status: 'completed';
      readonly output: unknown;
    }
  | {
      readonly v: 1;
      readonly type: 'session-report';
      readonly sessionId: string;
      readonly protocol: string;
      readonly status: 'aborted';
      readonly code: string;
      readonly reason?: string;
      readonly culprits: readonly string[];
      readonly message: string;
    };

/** A fresh control session id (32 random bytes, lowercase hex, as the envelope requires). */
export function newControlSessionId(): string {
  return randomBytes(32).toString('hex');
}

export function encodeMessage(message: SessionCommand | SessionReport): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}

const COMMAND_KEYS = ['v', 'type', 'action', 'request'];
const COMPLETED_KEYS = ['v', 'type', 'sessionId', 'protocol', 'status', 'output'];
const ABORTED_KEYS = [
  'v',
  'type',
  'sessionId',
  'protocol',
  'status',
  'code',
  'culprits',
  'message',
];

function invalid(what: string): never {
  throw new ControlError('MALFORMED_MESSAGE', what);
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid('not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('not an object');
  const o = value as Record<string, unknown>;
  if (o.v !== COORDINATOR_PROTOCOL_VERSION) invalid('unsupported version');
  return o;
}

function exactKeys(o: Record<string, unknown>, required: string[], optional: string[] = []) {
  const keys = Object.keys(o);
  if (!required.every((k) => keys.includes(k))) invalid('missing fields');
  if (!keys.every((k) => required.includes(k) || optional.includes(k))) invalid('unknown fields');
}

/** Parses a coordinator → node command (throws ControlError MALFORMED_MESSAGE). */
export function decodeSessionCommand(bytes: Uint8Array): SessionCommand {
  const o = parseObject(bytes);
  if (o.type !== 'session-command') invalid('not a session command');
  exactKeys(o, COMMAND_KEYS);
  if (!(SESSION_ACTIONS as readonly unknown[]).includes(o.action)) invalid('unknown action');
  const request = o.request;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    invalid('request is not an object');
  }
  const r = request as Record<string, unknown>;
  if (typeof r.sessionId !== 'string' || typeof r.protocol !== 'string') {
    invalid('request needs sessionId and protocol');
  }
  return o as unknown as SessionCommand;
}

/** Parses a node → coordinator report (throws ControlError MALFORMED_MESSAGE). */
export function decodeSessionReport(bytes: Uint8Array): SessionReport {
  const o = parseObject(bytes);
  if (o.type !== 'session-report') invalid('not a session report');
  if (o.status === 'completed') exactKeys(o, COMPLETED_KEYS);
  else if (o.status === 'aborted') exactKeys(o, ABORTED_KEYS, ['reason']);
  else invalid('unknown status');
  if (typeof o.sessionId !== 'string' || typeof o.protocol !== 'string') invalid('bad ids');
  if (o.status === 'aborted') {
    if (typeof o.code !== 'string' || typeof o.message !== 'string') invalid('bad abort');
    if (!Array.isArray(o.culprits) || !o.culprits.every((c) => typeof c === 'string')) {
      invalid('bad culprits');
    }
  }
  return o as unknown as SessionReport;
}

/** Field names a public output must never contain (at any depth). */
const SECRET_FIELD =
  /^(share|shares|secret\w*|\w*secret|nonce\w*|privateKey|keyShare|presignature\w*|sk)$/i;

/** Throws ControlError OUTPUT_NOT_PUBLIC unless `output` is free of secret-named fields (defence in depth). */
export function assertPublicOutput(output: unknown, path = 'output'): void {
  if (Array.isArray(output)) {
    output.forEach((item, i) => assertPublicOutput(item, `${path}[${i}]`));
    return;
  }
  if (typeof output !== 'object' || output === null) return;
  for (const [key, value] of Object.entries(output)) {
    if (SECRET_FIELD.test(key)) {
      throw new ControlError('OUTPUT_NOT_PUBLIC', `${path}.${key} is not reported`);
    }
    assertPublicOutput(value, `${path}.${key}`);
  }
}
