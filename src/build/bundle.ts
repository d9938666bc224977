/**
 * Build step: bundles the compiled CLI into dist/bundle with esbuild, one chunk per command, so that a
 * run reads and compiles a handful of files instead of a hundred modules across node_modules (about 40 ms
 * of every start). better-sqlite3 stays outside (a native add-on); tests also run the unbundled dist/src.
 */
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../', import.meta.url));
const outdir = `${dist}bundle`;

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${dist}src/cli.js`],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  external: ['better-sqlite3', 'pg-native'],
  // CommonJS dependencies call require(); give the ESM bundle one
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  minify: true,
  // --debug stack traces map back to the TypeScript sources
  sourcemap: true,
  logLevel: 'warning',
});
// payload-wire.ts reads the payload's Go type next to its own module
copyFileSync(`${dist}src/model/payload-gotype.json`, `${outdir}/payload-gotype.json`);
