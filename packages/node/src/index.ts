/** @coffer/node: the signing node (keystore, identity, transport, sessions). */
export {};
