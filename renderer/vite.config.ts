import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  // Icons live in assets/ with the rest of the studio's artwork.
  publicDir: fileURLToPath(new URL('../assets/icons', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The strict CSP forbids inline scripts and styles; keep every asset a file.
    assetsInlineLimit: 0,
  },
});
