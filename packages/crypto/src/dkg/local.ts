/**
 * All parties of a DKG in one process: the offline ceremony (`coffer tss keygen`), tests and
 * benchmarks. Runs the same round functions a distributed run does (Komlo–Goldberg 2020,
 * FROST, Fig. 1, via `round1.ts`, `round2.ts`, `finalize.ts`), delivering every broadcast to
 * every party and every direct message to its recipient. No party's secret state is read
 * by another; the whole key is never formed.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../bytes.js';
import type { Group } from '../curves/group.js';
import { CryptoError } from '../errors.js';
import type { AccessStructure, PartyId } from '../sharing/access-structure.js';
import { dkgFinalize, type DkgOutput } from './finalize.js';
import type { DkgRound2Broadcast, DkgRound2Direct } from './messages.js';
import { dkgRound1 } from './round1.js';
import { dkgRound2 } from './round2.js';

/** Runs every party of the structure; returns each party's output. */
export function runDkgLocally(
  group: Group,
  structure: AccessStructure,
  sessionId: string = bytesToHex(randomBytes(32)),
): Map<PartyId, DkgOutput> {
  const parties = structure.parties;
  const r1 = parties.map((party) => dkgRound1({ group, structure, party, sessionId }));
  const broadcasts1 = r1.map((r) => r.outbound);
  const r2 = r1.map((r) => dkgRound2(r.state, broadcasts1));
  const broadcasts2: DkgRound2Broadcast[] = r2.map((r) => r.outbound.broadcast);
  const direct: DkgRound2Direct[] = r2.flatMap((r) => r.outbound.direct);
  const outputs = new Map<PartyId, DkgOutput>();
  r2.forEach((r, i) => {
    const party = parties[i]!;
    const result = dkgFinalize(r.state, {
      broadcasts: broadcasts2,
      direct: direct.filter((d) => d.recipient === party),
    });
    if (result.kind !== 'key') {
      const accused = result.outbound.map((c) => c.accused);
      throw new CryptoError(
        'INVALID_SHARE',
        `${party} complained about ${accused.join(', ')}`,
        accused,
      );
    }
    outputs.set(party, result.output);
  });
  return outputs;
}
