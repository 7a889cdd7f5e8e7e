/** The registry of `coffer` commands, in the order `coffer --help` lists them. */
import { vaultShow } from './vault-show.js';
import { vaultList } from './vault-list.js';
import { vaultCreate } from './vault-create.js';
import { sign } from './sign.js';
import { nodeRemove } from './node-remove.js';
import { nodeList } from './node-list.js';
import { nodeEnrol } from './node-enrol.js';
import { approve } from './approve.js';
import { cancel } from './cancel.js';
import { policyApprove, policyDryRun, policyPropose, policyShow } from './policy.js';
import { auditExport, auditVerify } from './audit-verify.js';
import { apikeyRevoke } from './apikey-revoke.js';
import { apikeyList } from './apikey-list.js';
import { apikeyCreate } from './apikey-create.js';
import { bootstrap } from './bootstrap.js';
import { demo } from './demo.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { nodeIdentity } from './node-identity.js';
import { nodeRun } from './node-run.js';
import { orgCreate } from './org-create.js';
import { orgList } from './org-list.js';
import { server } from './server.js';
import { up } from './up.js';
import { tssCombine } from './tss-combine.js';
import { tssImport } from './tss-import.js';
import { tssKeygen } from './tss-keygen.js';
import { tssSign } from './tss-sign.js';
import { tssVerify } from './tss-verify.js';

export const COMMAND_SECTIONS = {
  run: 'Running Coffer',
  platform: 'Using a Coffer server ("coffer login" first, or an API key in COFFER_API_KEY)',
  ceremony: 'Offline ceremony (all parties in one process; for demos, tests and air-gapped use)',
  node: 'Signing node (a long-running process holding one key share)',
} as const;
export type CommandSection = keyof typeof COMMAND_SECTIONS;

export interface Command {
  /** "tss verify": the words that select the command. */
  readonly name: string;
  readonly summary: string;
  /** The heading `coffer --help` lists the command under. */
  readonly section: CommandSection;
  readonly help: string;
  /** Returns the JSON document to print, or undefined when the command printed itself. */
  run(args: readonly string[]): Promise<unknown>;
}

export const COMMANDS: readonly Command[] = [
  up,
  server,
  bootstrap,
  login,
  logout,
  orgList,
  orgCreate,
  nodeEnrol,
  nodeList,
  nodeRemove,
  vaultCreate,
  vaultList,
  vaultShow,
  sign,
  approve,
  cancel,
  policyShow,
  policyPropose,
  policyApprove,
  policyDryRun,
  auditExport,
  auditVerify,
  apikeyCreate,
  apikeyList,
  apikeyRevoke,
  tssKeygen,
  tssSign,
  tssVerify,
  tssImport,
  tssCombine,
  demo,
  nodeRun,
  nodeIdentity,
];
