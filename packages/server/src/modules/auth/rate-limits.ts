/**
 * Per-route rate limits of the identity routes (@fastify/rate-limit route config, counted per
 * client address). They are stricter than the global limit because each call can test a
 * password, a TOTP code or a passkey assertion (NIST SP 800-63B §5.2.2, rate limiting).
 */
export const AUTH_RATE_LIMIT = { max: 10, timeWindow: '1 minute' } as const;
