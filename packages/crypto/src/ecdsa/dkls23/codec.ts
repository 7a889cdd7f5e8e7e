/** Every serialised form of DKLs23 data, in one place for callers. */
export { DKLS23_FORMAT_VERSION } from './json-fields.js';
export * from './key-share-codec.js';
export * from './sign-messages-codec.js';
export * from './sign-state-codec.js';
export * from './setup-codec.js';
