/**
 * Parameters of the OT layer for DKLs23 (ePrint 2023/765 §5; DKLS23-NOTES.md §1, using the
 * notes' recommendation): lambda_c base OTs per ordered pair, xi = kappa + 2*lambda_s OTs per
 * multiplication, sigma padding bits for the OT-extension check, and the RVOLE widths
 * (ell = 2 inputs, rho = 1 check column).
 */

/** lambda_c: base OTs per ordered pair = bits of Delta = width of the OT-extension matrix. */
export const LAMBDA_C = 128;
/** kappa = ceil(log2 q) for secp256k1. */
export const KAPPA = 256;
/** lambda_s: statistical security parameter. */
export const LAMBDA_S = 128;
/** xi = kappa + 2*lambda_s: extended OTs per multiplication (DKLs19 encoding argument). */
export const XI = KAPPA + 2 * LAMBDA_S;
/** sigma: padding bits and block size (GF(2^128)) of the OT-extension consistency check. */
export const SIGMA = 128;
/** xi' = xi + sigma: length of every OT-extension column. */
export const XI_PADDED = XI + SIGMA;
/** Number of full sigma-bit blocks in the xi data bits (m = xi / sigma). */
export const CHECK_BLOCKS = XI / SIGMA;
/** ell: the RVOLE sender's input vector length (r_i, sk_i). */
export const ELL = 2;
/** rho: random check columns of the RVOLE check. */
export const RHO = 1;
/** Scalars per OT row: ell + rho. */
export const WIDTH = ELL + RHO;
/** Bytes per stored base-OT seed (128-bit seeds, AES-128 PRG keys; see SECURITY.md). */
export const SEED_BYTES = 16;
/** Bytes of a hash output reduced to a scalar (>= 48 so the reduction bias is < 2^-128). */
export const WIDE_BYTES = 48;

export const COLUMN_BYTES = XI_PADDED / 8; // 80
export const ROW_BYTES = LAMBDA_C / 8; // 16
export const BLOCK_BYTES = SIGMA / 8; // 16
export const DELTA_BYTES = LAMBDA_C / 8; // 16
export const NONCE_BYTES = 16;
export const SCALAR_BYTES = 32;
/** Format version carried by every message and setup of this layer. */
export const OT_FORMAT_VERSION = 1;

/** The parameter set in one object, for callers and documentation. */
export const OT_PARAMETERS = {
  lambdaC: LAMBDA_C,
  kappa: KAPPA,
  lambdaS: LAMBDA_S,
  xi: XI,
  sigma: SIGMA,
  ell: ELL,
  rho: RHO,
  width: WIDTH,
  seedBytes: SEED_BYTES,
} as const;
