/**
 * Where the server may send the requests it makes on an admin's behalf — webhook deliveries
 * and external-approver calls. An admin chooses those URLs, so without a check they could aim
 * the server at its own network (cloud metadata at 169.254.169.254, an internal admin port):
 * server-side request forgery. Before every send the host is resolved and refused when any of
 * its addresses is private or reserved (RFC 1918, RFC 6598 shared, loopback, link-local,
 * RFC 4193 unique-local, multicast, unspecified, benchmarking), unless the operator allows
 * internal endpoints (`COFFER_OUTBOUND_ALLOW_PRIVATE=true`, e.g. an AML service inside the
 * company network). A URL that literally names a loopback host over plain http (the
 * development and test allowance of the URL rules) stays allowed.
 *
 * Limit: the address is resolved again when the request connects, so a DNS answer that changes
 * in between (rebinding) is not caught here; a resolving egress proxy is the complete fix.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const RESERVED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  RESERVED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  RESERVED.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (an IP literal) is private or reserved; IPv4-mapped IPv6 included. */
export function isReservedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  return RESERVED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const LITERAL_LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

export type Resolver = (host: string) => Promise<readonly string[]>;

const resolveAll: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Null when the server may send to `url`; otherwise why not (for the delivery or call log).
 */
export async function destinationRefusal(
  url: string,
  allowPrivate: boolean,
  resolve: Resolver = resolveAll,
): Promise<string | null> {
  if (allowPrivate) return null;
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.protocol === 'http:' && LITERAL_LOOPBACK.has(host)) return null;
  let addresses: readonly string[];
  try {
    addresses = isIP(host) === 0 ? await resolve(host) : [host];
  } catch (error) {
    return `cannot resolve ${host}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const reserved = addresses.find(isReservedAddress);
  return reserved === undefined
    ? null
    : `destination ${host} is a private or reserved address (${reserved}); set ` +
        'COFFER_OUTBOUND_ALLOW_PRIVATE=true to allow internal endpoints';
}
