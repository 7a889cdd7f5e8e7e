/**
 * The `coffer node --help` text: every configuration option (file key and environment
 * variable), the three keystore providers by name, the health endpoint, the logs and the
 * signals. Kept beside the commands so the help stays true when an option changes; the same
 * reference, with examples, is packages/node/CONFIG.md.
 */
export const NODE_HELP = `Usage: coffer node [--config FILE]
       coffer node identity [--config FILE]

Runs a signing node: a long-running process that holds this node's key shares in an
encrypted keystore, connects OUTBOUND to the relay (it opens no public port), accepts session
requests signed by the enrolled coordinator, checks their approval evidence itself, runs
DKG / FROST / DKLs23 sessions with the enrolled peer nodes and returns only public results
(public keys, signatures) to the coordinator. On first start it creates the keystore and
the node identity (Ed25519 signing key, X25519 encryption key).

"coffer node identity" opens (or on first start creates) the keystore and identity, prints
the public identity JSON {nodeId, signingKey, encryptionKey} for enrolment, and exits. It
needs only dataDir and keystore.

Configuration: a JSON file (--config FILE, or COFFER_NODE_CONFIG) and/or environment
variables (which win). Unknown keys are errors. Secrets are NEVER in the file or argv: the
file names the environment variable that holds each one.

  dataDir                 directory for the keystore and session state   COFFER_NODE_DATA_DIR
  keystore.provider       passphrase | pkcs11 | kms              COFFER_NODE_KEYSTORE_PROVIDER
    passphrase: scrypt (N=2^17) + AES-256-GCM; the passphrase (>= 8 bytes) is read from
      keystore.passphraseEnv    env var name (default COFFER_NODE_PASSPHRASE)
      keystore.scryptLogN       scrypt cost for a NEW keystore, 14..20 (default 17)
    pkcs11: AES-256 key generated on the token, never leaves it (e.g. softhsm2)
      keystore.modulePath       PKCS#11 module .so               COFFER_NODE_PKCS11_MODULE
      keystore.tokenLabel       token label                      COFFER_NODE_PKCS11_TOKEN_LABEL
      keystore.keyLabel         label of the wrapping key (default coffer-node)
                                                                 COFFER_NODE_PKCS11_KEY_LABEL
      keystore.pinEnv           env var holding the user PIN (default COFFER_NODE_PKCS11_PIN)
    kms: a 256-bit key injected by the platform's KMS / secret manager
      keystore.keyEnv           env var holding the base64 key (default COFFER_KMS_KEY)
      keystore.keyId            non-secret key id (default: env COFFER_KMS_KEY_ID)
  relay.url               ws:// or wss:// URL of the relay          COFFER_NODE_RELAY_URL
  relay.serverId          pin the relay's server id (optional)      COFFER_NODE_RELAY_SERVER_ID
  enrolment               {coordinator, peers, approvals}   COFFER_NODE_ENROLMENT_FILE (a JSON
                          file holding that object)
    enrolment.coordinator the coordinator's public identity: only its signed requests run
    enrolment.peers       public identities of the other signing nodes (this node's own
                          entry, if listed, is ignored)
    enrolment.approvals   approver keys and quorum for the approval gate: the policy signed
                          by the vault's admins, {admins, signedPolicy}, or {policy} (see
                          packages/node/APPROVALS.md); without it signing is always refused
  health.host             loopback address (default 127.0.0.1)
  health.port             port, 0 = any free port (default 0)       COFFER_NODE_HEALTH_PORT
  sessions.roundTimeoutMs per-round deadline of a session (default 30000)
  log.level               fatal|error|warn|info|debug|trace|silent  COFFER_NODE_LOG_LEVEL

Health: GET http://<health.host>:<port>/healthz -> 200
  {"status":"ok"|"degraded"|"stopping","nodeId","relay":"connected"|"disconnected",
   "uptimeS","memoryRss"}  (the chosen port is logged at start: "coffer node started").

Logs: pino JSON lines on stdout; fields named passphrase, pin, key, secret, share, nonce,
presignature, state, payload, params, evidence, signature (up to 4 levels deep) are
redacted. Errors before start-up are one line on
stderr and a non-zero exit (e.g. "WRONG_PASSPHRASE: the passphrase does not open this
keystore").

Sessions: the coordinator sends signed, encrypted commands ("run" or "resume" a session:
dkg, frost-sign, dkls23-keygen, dkls23-sign); the node answers with a report holding public
outputs only, or a typed abort (EVIDENCE_REFUSED, TIMEOUT with culprits, SESSION_REPLAYED…).
Nonces and presignatures are consumed in a durable ledger before use: a node restarted
after a crash never reuses one. Full reference: packages/node/CONFIG.md.

Signals: SIGINT / SIGTERM shut down gracefully (sessions settle, relay, health endpoint and
keystore close, keys are wiped); exit 0. A second signal, or a shutdown longer than 15 s,
exits with 1.
`;
