/**
 * `coffer audit verify`: checks an organisation's hash-chained audit log (issue 6, "Audit";
 * the chain is @coffer/protocol audit-chain.ts). With `--file` it verifies an export offline,
 * trusting nothing but the file; without, it asks the server to verify its stored log. A
 * head pinned earlier (`--head SEQ:HASH`) also catches entries cut from the end. Exit 0 when
 * the log is intact, 1 (naming every problem) when it is not.
 */
import { readFileSync } from 'node:fs';
import {
  AuditEntrySchema,
  verifyAuditChain,
  type AuditEntry,
  type AuditVerification,
} from '@coffer/protocol';
import { parseOptions } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { connect, ORG_HELP, ORG_OPTIONS, output, resolveOrg } from '../platform/connect.js';
import type { Command } from './index.js';

function parseHead(text: string | undefined): { seq: number; hash: string } | undefined {
  if (text === undefined) return undefined;
  const match = /^([1-9][0-9]{0,9}):([0-9a-f]{64})$/.exec(text);
  if (!match) throw usageError('--head must be SEQ:HASH (a seq and 64 lowercase hex characters)');
  return { seq: Number(match[1]), hash: match[2]! };
}

/** The entries of an export file (JSON lines), each checked against the entry schema. */
export function readAuditExport(file: string): AuditEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new CliError(`${file}:${i + 1}: not a JSON line`);
      }
      const parsed = AuditEntrySchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new CliError(`${file}:${i + 1}: ${issue.path.join('.')}: ${issue.message}`);
      }
      return parsed.data;
    });
}

export const auditVerify: Command = {
  name: 'audit verify',
  summary: "verify an organisation's hash-chained audit log (exit 0 intact, 1 tampered)",
  section: 'platform',
  help: `Usage: coffer audit verify --file EXPORT.jsonl [--head SEQ:HASH] [--json]
       coffer audit verify [--org ID] [--head SEQ:HASH] [--server URL] [--json]

Checks every entry's hash and its link to the previous one, and that the sequence has no
gaps: a modified, deleted or reordered entry is reported with where it shows. Entries cut
from the END are visible only against a head recorded earlier: keep the "head" this
command prints, and pass it as --head next time.

  --file FILE     an export (coffer audit export, or GET /v1/orgs/:orgId/audit/export),
                  verified offline without asking the server
  --head SEQ:HASH a head recorded earlier, which must still be in the log
${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, {
      ...ORG_OPTIONS,
      file: { type: 'string' },
      head: { type: 'string' },
    });
    const head = parseHead(o.head);
    let result: AuditVerification;
    if (o.file !== undefined) {
      result = verifyAuditChain(readAuditExport(o.file), head);
    } else {
      const client = connect(o.server);
      const orgId = await resolveOrg(client, o.org);
      result = await client.verifyAudit(
        orgId,
        head ? { headSeq: head.seq, headHash: head.hash } : {},
      );
    }
    if (!result.ok) {
      const problems = result.problems.map((p) => `${p.kind} at ${p.seq}: ${p.message}`);
      throw new CliError(`the audit log is NOT intact: ${problems.join('; ')}`);
    }
    return output(o.json, result, () => [
      `The audit log is intact: ${result.entries} entries.`,
      result.head ? `head ${result.head.seq}:${result.head.hash}` : 'head: (empty log)',
    ]);
  },
};

export const auditExport: Command = {
  name: 'audit export',
  summary: "write an organisation's audit log as JSON lines",
  section: 'platform',
  help: `Usage: coffer audit export [--org ID] [--server URL]

Writes the whole audit log to stdout, one JSON entry per line (owners, admins and
auditors), for "coffer audit verify --file".

${ORG_HELP}
`,
  async run(args) {
    const o = parseOptions(args, ORG_OPTIONS);
    const client = connect(o.server);
    process.stdout.write(await client.exportAudit(await resolveOrg(client, o.org)));
    return undefined;
  },
};
