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

/** A 6-digit TOTP code (RFC 6238 with the authenticator apps' defaults). */
export const TotpCode = z.string().regex(/^[0-9]{6}$/, 'must be 6 digits');

/** POST /v1/auth/totp: start enrolment; the current password is asked again. */
export const TotpEnrolmentRequest = z.strictObject({ password: z.string().min(1).max(1024) });

/** The new shared secret, shown once: type it or scan the `otpauth://` URI as a QR code. */
export const TotpEnrolment = z
  .object({
    /** RFC 4648 base32, 160 bits (RFC 4226 §4 recommends at least 128). */
    secret: z.string(),
    /** `otpauth://totp/Coffer:<email>?secret=…&issuer=Coffer&algorithm=SHA1&digits=6&period=30`. */
    uri: z.string(),
  })
  .meta({ id: 'TotpEnrolment' });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;

/** POST /v1/auth/totp/confirm: the first valid code turns two-factor authentication on. */
export const TotpConfirmRequest = z.strictObject({ code: TotpCode });

/** DELETE /v1/auth/totp: turning it off takes both the password and a current code. */
export const TotpDisableRequest = z.strictObject({
  password: z.string().min(1).max(1024),
  code: TotpCode,
});

/** POST /v1/auth/password: every other session of the account ends. */
export const PasswordChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: Password,
});
