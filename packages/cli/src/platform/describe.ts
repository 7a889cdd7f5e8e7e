/**
 * Readable lines for vaults and signature requests (the --json output is the API's own
 * document), and progress lines for the long-running work behind them: one line on stderr
 * whenever a vault key's or a request's status changes.
 */
import type { SignatureRequest, Vault } from '@coffer/protocol';
import { progress } from './connect.js';

export function vaultLines(vault: Vault): string[] {
  return [
    `Vault ${vault.name} (${vault.id}): ${vault.status}`,
    `  structure ${vault.structure}; parties ${Object.entries(vault.parties)
      .map(([party, node]) => `${party}=${node}`)
      .join(', ')}`,
    ...vault.keys.map(
      (k) =>
        `  ${k.scheme.padEnd(15)}  ${k.status.padEnd(9)}  ${k.publicKey ?? ''}` +
        (k.failure === null ? '' : `  failed: ${k.failure.reason}`),
    ),
    ...(vault.failure === null ? [] : [`  failed: ${vault.failure.reason}`]),
  ];
}

export function signatureLines(request: SignatureRequest): string[] {
  const lines = [
    `Signature request ${request.id} (${request.scheme}): ${request.status}`,
    `  policy v${request.policyVersion}: ${request.decision.outcome}` +
      (request.decision.ruleName === null ? '' : ` (rule "${request.decision.ruleName}")`),
    `  approvals ${request.approvals.filter((a) => a.decision === 'approve').length}` +
      (request.quorum === null ? '' : ` of ${request.quorum}`),
    ...request.progress.missing.map((m) => `  missing: ${m}`),
  ];
  if (request.result !== null) {
    lines.push(
      `  signature  ${request.result.signature}`,
      `  public key ${request.result.publicKey}`,
      ...(request.result.recoveryId === null ? [] : [`  recovery id ${request.result.recoveryId}`]),
      `  signers    ${request.result.signers.join(', ')}`,
    );
  }
  if (request.failure !== null) lines.push(`  failed: ${request.failure.reason}`);
  return lines;
}

/** Reports each vault key's status once per change (stderr). */
export function vaultProgress(): (vault: Vault) => void {
  const seen = new Map<string, string>();
  return (vault) => {
    for (const key of vault.keys) {
      if (seen.get(key.scheme) === key.status) continue;
      seen.set(key.scheme, key.status);
      progress(`  key generation ${key.scheme}: ${key.status}`);
    }
  };
}

/** Reports a signature request's status once per change (stderr). */
export function signatureProgress(): (request: SignatureRequest) => void {
  let last: string | undefined;
  return (request) => {
    if (request.status === last) return;
    last = request.status;
    progress(`  ${request.id}: ${request.status.replace('_', ' ')}`);
  };
}
