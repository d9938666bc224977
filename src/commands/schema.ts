/** `coroot-usage schema`: the v1.24.5 payload schema as JSON Schema, with per-field sources and fidelity. */
import type { Argv } from 'yargs';
import { z } from 'zod';
import { payloadSchema } from '../model/payload-schema.js';
import type { CommandSpec, GlobalArgs } from './command.js';

export const schemaCommand: CommandSpec<object> = {
  name: 'schema',
  usage: 'schema',
  summary: 'print the JSON Schema of the v1.24.5 payload (descriptions, x-source, x-fidelity)',
  examples: [['$0 schema > coroot-usage.schema.json', 'save it for other validators']],
  builder: (y: Argv<GlobalArgs>) => y,
  async run(_args, io) {
    const schema = z.toJSONSchema(payloadSchema, { target: 'draft-2020-12' });
    io.out(`${JSON.stringify({ ...schema, title: 'Coroot v1.24.5 usage-statistics payload' }, null, 2)}\n`);
    return 0;
  },
};
