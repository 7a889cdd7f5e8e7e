/**
 * The policy engine (issue 6, items 3–5): pure functions and schemas that the server and the
 * signing nodes both run, so a node can recompute a decision from the signed policy instead of
 * trusting the server's (ARCHITECTURE.md "The trust chain for approvals", step 3). No I/O, no
 * clocks (time is an input), no globals. Format and semantics: packages/protocol/POLICY.md.
 */
export * from './identifiers.js';
export * from './intent.js';
export * from './conditions.js';
export * from './requirements.js';
export * from './document.js';
export * from './local-time.js';
export * from './velocity.js';
export * from './match-conditions.js';
export * from './approval-requirement.js';
export * from './evaluate.js';
export * from './approval-assignment.js';
export * from './approval-status.js';
export * from './published.js';
export * from './evidence.js';
