// Builds the single-page app into dist/web at the repository root, which the server serves with a
// fallback to index.html. The Content-Security-Policy allows only same-origin scripts and styles,
// so nothing here may inline a script or a <style>: CSS is emitted as a file, and the module
// preload polyfill (an inline script in some set-ups) is turned off.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = path.resolve(import.meta.dirname, '../dist/web');

/**
 * A gzip and a Brotli copy beside each script, style sheet and page (issue 14), at the highest
 * settings: made once here rather than on every request on a small machine. The server sends the
 * copy the browser accepts (@fastify/static's preCompressed, src/http/web-files.ts).
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress);
  const gz = promisify(gzip);
  return {
    name: 'lantern-precompress',
    apply: 'build',
    async closeBundle() {
      const files = await readdir(OUT_DIR, { recursive: true });
      for (const name of files.filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const file = path.join(OUT_DIR, name);
        const bytes = await readFile(file);
        await writeFile(`${file}.gz`, await gz(bytes, { level: 9 }));
        await writeFile(
          `${file}.br`,
          await brotli(bytes, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 11,
              [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
            },
          }),
        );
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [precompress()],
  build: {
    outDir: OUT_DIR,
    // Which chunks each page loads (scripts/js-per-page.mjs reads it to measure first loads).
    manifest: true,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      // The staff app, and the trips' offline emergency cards (issue 21: card.html, kept by
      // public/card-sw.js).
      input: {
        index: path.resolve(import.meta.dirname, 'index.html'),
        card: path.resolve(import.meta.dirname, 'card.html'),
      },
      // react-router marks its modules "use client" for server components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
