// Bundles the dashboard (src/web) into dist/web: main.js (esbuild, lightweight-charts inlined,
// no CDN so it works offline), index.html and styles.css copied as they are.
// Usage: node scripts/build-web.mjs [--watch] [--dev]
import { build, context } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src', 'web');
const outDir = join(root, 'dist', 'web');
const STATIC_FILES = ['index.html', 'styles.css'];
const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev') || watch;

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: [join(srcDir, 'main.ts')],
  outfile: join(outDir, 'main.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  // lightweight-charts' "production" export condition is its minified build.
  conditions: dev ? ['development'] : ['production'],
  minify: !dev,
  sourcemap: dev ? 'inline' : 'linked',
  tsconfig: join(srcDir, 'tsconfig.json'),
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  logLevel: 'warning',
};

async function copyStatic() {
  await mkdir(outDir, { recursive: true });
  await Promise.all(STATIC_FILES.map((file) => copyFile(join(srcDir, file), join(outDir, file))));
}

if (watch) {
  await copyStatic();
  const ctx = await context({
    ...options,
    plugins: [{ name: 'copy-static', setup: (b) => b.onEnd(() => copyStatic()) }],
  });
  await ctx.watch();
  console.log(`build-web: watching ${srcDir}`);
} else {
  const started = Date.now();
  await copyStatic();
  await build(options);
  console.log(`build-web: dist/web built in ${Date.now() - started} ms`);
}
