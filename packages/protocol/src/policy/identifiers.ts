/**
 * The small value types of the policy engine (issue 6, items 1 and 3): identifiers, chain
 * names, asset ids, addresses and amounts in base units. Identifiers use the same charset as
 * the signing nodes' evidence (packages/node APPROVALS.md: `[A-Za-z0-9._:-]{1,128}`), so the
 * ids a policy names are the ids a node sees. Amounts are decimal strings of base units (wei,
 * satoshi, lamport…) and are compared as bigint, never as floating point.
 */
import { z } from 'zod';

/** Any id a policy refers to: users, API keys, vaults, wallets, rules, groups, endpoints. */
export const PolicyId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1..128 characters of [A-Za-z0-9._:-]');

/** A chain name in lowercase, e.g. `ethereum`, `bitcoin`, `solana`, `vechain`, `ethereum-sepolia`. */
export const ChainName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase chain name such as "ethereum"');

/**
 * An asset: the chain's native symbol (`ETH`, `BTC`, `SOL`, `VET`) or a token's contract id as
 * the chain writes it (`0xa0b8…eb48` for an ERC-20, a mint address on Solana).
 */
export const AssetId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be an asset symbol or contract id');

/** An address as the chain writes it (hex, bech32, base58…). */
export const ChainAddress = z
  .string()
  .regex(/^[A-Za-z0-9:._-]{1,128}$/, 'must be an address (1..128 of [A-Za-z0-9:._-])');

/** At most 78 digits: every unsigned 256-bit value fits (2^256 − 1 has 78 digits). */
export const BaseUnitAmount = z
  .string()
  .regex(/^[0-9]{1,78}$/, 'must be a decimal string of base units (1..78 digits)');

/** A digest (or message) to sign, lowercase hex of whole bytes, as in the nodes' evidence. */
export const SigningDigest = z
  .string()
  .regex(/^(?:[0-9a-f]{2}){1,65536}$/, 'must be lowercase hex (whole bytes)');

/**
 * The key under which two addresses (or asset ids) of one chain are compared. EVM-style hex
 * addresses (Ethereum, VeChain: `0x` + 40 hex, EIP-55 mixed case) and single-case bech32
 * (BIP 173: "decoders MUST NOT accept strings where some characters are uppercase and some are
 * lowercase") are case-insensitive, so they compare in lowercase; everything else (base58 on
 * Bitcoin and Solana is case-sensitive) compares exactly. Chain adapters should emit canonical
 * forms anyway; this only keeps an EIP-55 checksum from turning "in the address book" false.
 */
export function addressKey(address: string): string {
  if (/^0x[0-9a-fA-F]+$/.test(address)) return address.toLowerCase();
  const lower = address.toLowerCase();
  const singleCase = address === lower || address === address.toUpperCase();
  if (singleCase && /^[a-z]{1,83}1[02-9ac-hj-np-z]{6,}$/.test(lower)) return lower;
  return address;
}
