/**
 * @coffer/crypto for Node.js (the package's "node" export condition): the same API as
 * ./index.ts, with the bulk symmetric work of the OT layer routed through node:crypto
 * (OpenSSL SHA-256 and AES-128-CTR), which is byte-identical to the noble provider and several
 * times faster. Browsers resolve ./index.ts and keep the pure-noble provider.
 */
import { setCryptoProvider } from './provider/crypto-provider.js';
import { nodeCryptoProvider } from './provider/node-provider.js';

setCryptoProvider(nodeCryptoProvider);

export * from './index.js';
