/** The protocol drivers by protocol name (issue 4, "Sessions"). */
import type { ProtocolDriver, ProtocolName } from '../types.js';
import { dkgDriver } from './dkg.js';
import { dkls23KeygenDriver } from './dkls23-keygen.js';
import { dkls23SignDriver } from './dkls23-sign.js';
import { dkls23PresignDriver } from './dkls23-presign.js';
import { dkls23FinishDriver } from './dkls23-finish.js';
import { frostSignDriver } from './frost-sign.js';

export const PROTOCOL_DRIVERS: Record<ProtocolName, ProtocolDriver> = {
  dkg: dkgDriver,
  'frost-sign': frostSignDriver,
  'dkls23-keygen': dkls23KeygenDriver,
  'dkls23-sign': dkls23SignDriver,
  'dkls23-presign': dkls23PresignDriver,
  'dkls23-finish': dkls23FinishDriver,
};
