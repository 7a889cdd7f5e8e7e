/** The protocol drivers by protocol name (issue 4, "Sessions"). */
import type { ProtocolDriver, ProtocolName } from '../types.js';
import { dkgDriver } from './dkg.js';
import { frostSignDriver } from './frost-sign.js';

export const PROTOCOL_DRIVERS: Partial<Record<ProtocolName, ProtocolDriver>> = {
  dkg: dkgDriver,
  'frost-sign': frostSignDriver,
};
