/**
 * Build step: bundles the compiled CLI into dist/bundle with esbuild, one chunk per command, so that a
 * run reads and compiles a handful of files instead of a hundred modules across node_modules (about 40 ms
 * of every start). better-sqlite3 stays outside (a native add-on); tests also run the unbundled dist/src.
 */
import { build, type Plugin } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../', import.meta.url));
const outdir = `${dist}bundle`;

/**
 * yargs, cliui and wrap-ansi each import a copy of string-width, whose module body builds an
 * Intl.Segmenter and a \p{RGI_Emoji} regular expression: 35-70 ms of every start, for a function that
 * only --help (and a usage error's help text) calls. Each import gets a stand-in that loads its real
 * string-width on the first call: esbuild bundles a module that is require()d so that its body runs then.
 */
const lazyStringWidth: Plugin = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      // require() callers (cli-table3, CommonJS) already load it lazily, inside a module wrapper
      if (args.pluginData === 'real' || args.kind !== 'import-statement') return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;\nexport default function stringWidth(text, options) {\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(text, options);\n}\n`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

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
  plugins: [lazyStringWidth],
  minify: true,
  // --debug stack traces map back to the TypeScript sources
  sourcemap: true,
  logLevel: 'warning',
});
// payload-wire.ts reads the payload's Go type next to its own module
copyFileSync(`${dist}src/model/payload-gotype.json`, `${outdir}/payload-gotype.json`);
