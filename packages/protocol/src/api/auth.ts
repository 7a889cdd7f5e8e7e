/**
 * Identity routes: first-run bootstrap, registration, login/logout, the current session.
 * Sessions are server-side and carried in an httpOnly cookie; state-changing requests made
 * with a session also send the CSRF token (`x-coffer-csrf` header) returned at login.
 */
import { z } from 'zod';
import { Email, Password, Timestamp, UserId } from './common.js';

export const CSRF_HEADER = 'x-coffer-csrf';
export const SESSION_COOKIE = 'coffer_session';

export const User = z
  .object({
    id: UserId,
    email: z.string(),
    displayName: z.string(),
    createdAt: Timestamp,
    totpEnabled: z.boolean(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const DisplayName = z.string().trim().min(1).max(100);

export const BootstrapStatus = z.object({ bootstrapped: z.boolean() });

export const BootstrapRequest = z.object({
  /** The one-time token the server printed (and wrote to its data directory) on first start. */
  token: z.string().min(16).max(200),
  email: Email,
  password: Password,
  displayName: DisplayName,
  organisation: z.string().trim().min(1).max(100),
});

export const RegisterRequest = z.object({
  email: Email,
  password: Password,
  displayName: DisplayName,
  /** An invite token: registration is by invitation unless the server allows open sign-up. */
  inviteToken: z.string().min(16).max(200).optional(),
});

export const LoginRequest = z.object({
  email: Email,
  password: z.string().min(1).max(1024),
  /** The current TOTP code, when the account has two-factor authentication enabled. */
  totp: z
    .string()
    .regex(/^[0-9]{6}$/, 'must be 6 digits')
    .optional(),
});

export const SessionInfo = z
  .object({
    user: User,
    /** Send this value in the `x-coffer-csrf` header with every state-changing request. */
    csrfToken: z.string(),
    expiresAt: Timestamp,
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;
