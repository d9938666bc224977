/** Build step: writes the payload's Go type, derived from the zod schema, next to payload-wire.js. */
import { writeFileSync } from 'node:fs';
import { goTypeOf } from './go-zod.js';
import { payloadSchema } from './payload-schema.js';

writeFileSync(new URL('./payload-gotype.json', import.meta.url), `${JSON.stringify(goTypeOf(payloadSchema))}\n`);
