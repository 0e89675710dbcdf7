import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = dirname(fileURLToPath(import.meta.url));
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist'));

/**
 * Copies pdf.js's CMaps, standard fonts, ICC profiles and wasm decoders into dist/pdfjs/ so that
 * they are served from our own origin: Japanese PDFs often use non-embedded CID fonts that need
 * the CMaps, and nothing may come from a CDN.
 */
function copyPdfjsAssets(): Plugin {
  return {
    name: 'inkan-copy-pdfjs-assets',
    apply: 'build',
    writeBundle() {
      const packageRoot = resolve(pdfjsRoot, '..');
      for (const folder of ['cmaps', 'standard_fonts', 'iccs', 'wasm']) {
        const from = join(packageRoot, folder);
        if (existsSync(from)) cpSync(from, join(here, 'dist', 'pdfjs', folder), { recursive: true });
      }
    },
  };
}

// The UI is served by the Inkan server from packages/web/dist at the site root, so every asset
// URL is absolute ('/assets/…'): pages live at nested paths such as /s/{token}.
export default defineConfig({
  base: '/',
  plugins: [react(), copyPdfjsAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No injected polyfill: keeps the page valid under a strict CSP (script-src 'self').
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
});
