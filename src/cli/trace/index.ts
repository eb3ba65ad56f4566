// The trace commands: record, decode, view.
import type { Command } from '../command.js';
import { decodeCommand } from './decode.js';
import { recordCommand } from './record.js';
import { viewCommand } from './view.js';

export { decodeCommand, recordCommand, viewCommand };
export { createRecordCommand, FileTraceRecorder } from './record.js';
export { createViewCommand } from './view.js';

export const traceCommands: readonly Command[] = [recordCommand, decodeCommand, viewCommand];
