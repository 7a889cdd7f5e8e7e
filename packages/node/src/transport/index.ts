/**
 * Public surface of the signing node's transport (issue 4, "Transport" and "Relay"):
 * authenticated envelopes, the sending and receiving sides, and the relays (in-process,
 * WebSocket client/server, NATS). The broadcast echo check lives in the session runner
 * (sessions/broadcast-echo.ts). Test support stays out.
 */
export * from './identity-types.js';
export { TransportError, TRANSPORT_ERROR_CODES } from './errors.js';
export type { TransportErrorCode, TransportErrorDetails } from './errors.js';
export {
  BROADCAST,
  ENVELOPE_VERSION,
  MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  encodeEnvelope,
  envelopeSigningBytes,
} from './envelope.js';
export type { Envelope, EnvelopeHeader, EnvelopeKind } from './envelope.js';
export { deriveDirectKey } from './sealed-box.js';
export { Outbox } from './outbox.js';
export type { SealedEnvelope } from './outbox.js';
export { Inbox, SequenceGuard, openEnvelope } from './inbox.js';
export type { OpenContext, OpenedMessage } from './inbox.js';
export { NodeTransport } from './node-transport.js';
export type { NodeTransportListener, NodeTransportOptions } from './node-transport.js';
export type { EnvelopeHandler, Relay, Unsubscribe } from './relay.js';
export { MemoryRelay, DEFAULT_OFFLINE_QUEUE } from './memory-relay.js';
export type { MemoryRelayOptions, OfflineQueueLimits } from './memory-relay.js';
export { WsRelayServer } from './ws-relay-server.js';
export type { NodeConnectionStatus, WsRelayServerOptions } from './ws-relay-server.js';
export { WsRelayClient } from './ws-relay-client.js';
export type { RelayClientStatus, WsRelayClientOptions } from './ws-relay-client.js';
export { NatsRelay } from './nats-relay.js';
export type { NatsRelayOptions } from './nats-relay.js';
