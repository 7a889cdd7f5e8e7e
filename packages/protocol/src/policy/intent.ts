/**
 * The normalised intent of a transaction request (issue 6, item 1) and the request the policy
 * engine judges. An intent says WHAT will happen in chain-neutral terms — kind, chain, asset,
 * amount, from which vault and wallet, to which address — plus the digest(s) the signing nodes
 * will sign. Chain adapters (packages/chains, a later issue) derive it from an unsigned
 * transaction; a signing node derives it again from the same transaction and refuses if it
 * differs from the approved one (ARCHITECTURE.md "The trust chain for approvals", step 4), so
 * every field is something a decoder can recover from the transaction itself.
 */
import { z } from 'zod';
import { Role } from '../api/common.js';
import {
  AssetId,
  BaseUnitAmount,
  ChainAddress,
  ChainName,
  PolicyId,
  SigningDigest,
} from './identifiers.js';

export const INTENT_VERSION = 1;
export const INTENT_KINDS = ['transfer', 'contract_call', 'message'] as const;
export const IntentKind = z.enum(INTENT_KINDS);
export type IntentKind = z.infer<typeof IntentKind>;

export const Intent = z
  .strictObject({
    /** Format version; a reader refuses versions it does not know. */
    version: z.literal(INTENT_VERSION),
    /**
     * `transfer`: value moves to `destination` (native coin or token transfer).
     * `contract_call`: any other call; `destination` is the contract, `amount` the native value
     * sent with the call. `message`: an off-chain message or typed data to sign; `amount` is "0"
     * and there is no destination.
     */
    kind: IntentKind,
    /** The chain the transaction is for, e.g. `ethereum`, `bitcoin`, `solana`, `vechain`. */
    chain: ChainName,
    /**
     * What moves: the native symbol (`ETH`, `BTC`) or, for tokens, the contract id as the chain
     * writes it (an ERC-20 address, an SPL mint). For `message`, the chain's native symbol.
     */
    asset: AssetId,
    /**
     * How much, in the asset's base units (wei, satoshi, lamport, the token's smallest unit)
     * as a decimal string, so 2^256 − 1 survives JSON. Fees are not included.
     */
    amount: BaseUnitAmount,
    /** Where the funds or the signature come from. */
    source: z.strictObject({
      /** The vault whose key signs. */
      vaultId: PolicyId,
      /** The wallet (derived address) within the vault, when the request spends from one. */
      walletId: PolicyId.optional(),
    }),
    /** Who receives: the recipient of a transfer, the contract of a call. Absent for a message. */
    destination: z.strictObject({ address: ChainAddress }).optional(),
    /** Free text for people (and chains that carry a memo); not used for matching. */
    memo: z.string().max(512).optional(),
    /** The digests (or messages) the nodes will sign, lowercase hex; what approvals cover. */
    digests: z.array(SigningDigest).min(1).max(64),
  })
  .superRefine((intent, ctx) => {
    if (intent.kind === 'message') {
      if (intent.destination !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['destination'], message: 'a message has none' });
      }
      if (intent.amount !== '0') {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a message moves nothing: "0"' });
      }
    } else if (intent.destination === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message: `a ${intent.kind} needs one`,
      });
    }
  });
export type Intent = z.infer<typeof Intent>;

/**
 * Who proposes the request: a person (session) or a machine client (API key), with the role
 * they hold in the organisation (an API key is scoped to one role).
 */
export const Initiator = z.strictObject({
  kind: z.enum(['user', 'api-key']),
  id: PolicyId,
  role: Role,
});
export type Initiator = z.infer<typeof Initiator>;

/** What the policy engine judges: an intent and who proposed it. */
export const PolicyRequest = z.strictObject({
  intent: Intent,
  initiator: Initiator,
});
export type PolicyRequest = z.infer<typeof PolicyRequest>;
