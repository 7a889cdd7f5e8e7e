/**
 * The OT layer for DKLs23 threshold ECDSA (ePrint 2023/765 §5, DKLS23-NOTES.md §2.2 and §3):
 * batched verified simplest OT (DKLs19 Protocol 7) for the pairwise setup, KOS15 / SoftSpokenOT
 * (k = 1) correlated OT extension with the corrected consistency check, and the RVOLE
 * two-party multiplication of DKLs23 Protocol 5.2. Browser-safe: bulk symmetric work goes
 * through the crypto provider (../provider).
 */
export * from './params.js';
export * from './setup.js';
export * from './base-ot.js';
export * from './base-ot-messages.js';
export * from './rvole.js';
export * from './rvole-messages.js';
