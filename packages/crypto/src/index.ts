/**
 * @coffer/crypto: pure threshold cryptography (no I/O, no clocks; the one process-wide
 * setting is the crypto provider, see index.node.ts).
 * The offline key-reconstruction function is deliberately not exported from this entry
 * point; only the offline combine command reaches it, through its own subpath export.
 */
export * from './errors.js';
export * from './bytes.js';
export * from './curves/group.js';
export { secp256k1Group } from './curves/secp256k1.js';
export { ed25519Group } from './curves/ed25519.js';
export * from './sharing/access-structure.js';
export * from './sharing/polynomial.js';
export * from './sharing/feldman.js';
export * from './keys/key-share.js';
export * from './keys/import.js';
export * from './frost/index.js';
export * from './dkg/index.js';
export * from './ot/index.js';
export {
  getCryptoProvider,
  setCryptoProvider,
  type CryptoProvider,
} from './provider/crypto-provider.js';
export { nobleCryptoProvider } from './provider/noble-provider.js';
export * from './ledger.js';
export * from './ecdsa/signature.js';
export * from './ecdsa/dkls23/index.js';
