// Builds the single-page app into dist/web at the repository root, which the server serves with a
// fallback to index.html. The Content-Security-Policy allows only same-origin scripts and styles,
// so nothing here may inline a script or a <style>: CSS is emitted as a file, and the module
// preload polyfill (an inline script in some set-ups) is turned off.
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/web'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      // react-router marks its modules "use client" for server components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
