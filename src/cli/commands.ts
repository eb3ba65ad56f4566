// The commands of `nlkit`, in the order `nlkit --help` lists them.
import type { Command } from './command.js';
import { demoCommand } from './demo.js';
import { linkCommand, addrCommand, routeCommand, neighCommand, ruleCommand } from './ip/index.js';
import { genlCommand, ssCommand, conntrackCommand, nftCommand } from './families/index.js';
import { recordCommand, decodeCommand, viewCommand } from './trace/index.js';
import { monitor } from './monitor.js';

export const commands: readonly Command[] = [
  linkCommand,
  addrCommand,
  routeCommand,
  neighCommand,
  ruleCommand,
  monitor,
  genlCommand,
  ssCommand,
  conntrackCommand,
  nftCommand,
  recordCommand,
  decodeCommand,
  viewCommand,
  demoCommand,
];
