/**
 * What `coffer up` tells the person who ran it: that this is a local development setup and
 * how production differs, and what to do next (the URL, the API docs, the exact bootstrap
 * command). Kept apart from the process management in commands/up.ts.
 */
import { relative } from 'node:path';

export function developmentNotice(): string[] {
  return [
    'coffer up: a LOCAL DEVELOPMENT setup — the server, its embedded PGlite database and three',
    'signing nodes on this machine, each node a separate process with its own keystore.',
    'The node keystores are opened with generated passphrases kept in files beside them',
    '(data/nodes/node-N/dev-passphrase, mode 0600) and a light scrypt cost. In production each',
    'signing node runs on its own host under its own operator, with its key in an HSM (pkcs11)',
    'or a KMS, or a passphrase from a secret manager — never on disk next to the keystore —',
    'and the server uses PostgreSQL (DATABASE_URL). See packages/node/CONFIG.md.',
    '',
  ];
}

export interface ReadyFacts {
  readonly url: string;
  readonly dataDir: string;
  readonly bootstrapped: boolean;
  readonly serverLog: string;
  readonly nodes: readonly { name: string; pid: number; nodeId: string; logFile: string }[];
}

export function readyMessage(facts: ReadyFacts): string[] {
  const dir = relative(process.cwd(), facts.dataDir) || '.';
  const shownDir = dir.startsWith('..') ? facts.dataDir : `./${dir}`.replace(/^\.\/\.\//, './');
  const lines = [
    '',
    ...facts.nodes.map((n) => `  ${n.name}  pid ${n.pid}  node id ${n.nodeId}  log ${n.logFile}`),
    `  server logs: ${facts.serverLog}`,
    '',
    `Coffer is running at ${facts.url}`,
    `API documentation: ${facts.url}/docs (OpenAPI: ${facts.url}/openapi.json)`,
    '',
  ];
  if (!facts.bootstrapped) {
    lines.push(
      'Next, in another terminal: create the owner and enrol the three nodes into the new',
      'organisation (choose a password of 12 or more characters):',
      '',
      '  read -rs COFFER_PASSWORD && export COFFER_PASSWORD',
      `  npx coffer bootstrap --data-dir ${shownDir} --email you@example.org --password-env COFFER_PASSWORD`,
      '',
      'Then an approval key, a 2-of-3 vault on the three nodes, and a signature',
      '(the walk-through: README.md, "Running Coffer"):',
      '',
      '  npx coffer apikey create --name approvals --role admin --approval-key-out approver.json',
      '  npx coffer vault create --name treasury --structure 2of3 --nodes all',
      '  npx coffer sign --vault <vault id> --scheme frost-ed25519 --message-text "hello" \\',
      '    --approve-with approver.json',
      '',
    );
  } else {
    lines.push(
      'The owner exists already; log in with:',
      '',
      `  npx coffer login --server ${facts.url} --email you@example.org`,
      '',
    );
  }
  lines.push('Press Ctrl-C to stop Coffer (the data stays for the next start).');
  return lines;
}
