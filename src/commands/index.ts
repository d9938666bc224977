import type { CommandSpec } from './command.js';
import { diffCommand } from './diff.js';
import { profileCommand } from './profile.js';
import { schemaCommand } from './schema.js';
import { sendCommand } from './send.js';
import { showCommand } from './show.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** Every sub-command, in the order `--help` lists them. */
export const commands: CommandSpec[] = [showCommand, schemaCommand, profileCommand, sendCommand, statusCommand, diffCommand, verifyCommand];
