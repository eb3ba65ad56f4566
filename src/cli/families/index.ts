// The family commands of nlkit: genl, ss, conntrack, nft.
import type { Command } from '../command.js';
import { genlCommand } from './genl.js';
import { ssCommand } from './ss.js';
import { conntrackCommand } from './conntrack.js';
import { nftCommand } from './nft.js';

export { genlCommand, ssCommand, conntrackCommand, nftCommand };
export const familyCommands: readonly Command[] = [genlCommand, ssCommand, conntrackCommand, nftCommand];
