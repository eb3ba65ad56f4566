// The ip-like commands of nlkit: link, addr, route, neigh, rule.
import type { Command } from '../command.js';
import { linkCommand } from './link.js';
import { addrCommand } from './addr.js';
import { routeCommand } from './route.js';
import { neighCommand } from './neigh.js';
import { ruleCommand } from './rule.js';

export { linkCommand, addrCommand, routeCommand, neighCommand, ruleCommand };

export const ipCommands: readonly Command[] = [linkCommand, addrCommand, routeCommand, neighCommand, ruleCommand];
