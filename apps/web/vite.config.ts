import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The gateway serves dist/ at `/` in production; in dev, Vite serves the app and forwards
// the API and health checks to a gateway on its default port.
const gateway = process.env.BATON_GATEWAY_URL ?? 'http://127.0.0.1:3100';

export default defineConfig({
  plugins: [react()],
  // The one runtime file the app takes from @baton/contracts (dependency-free: the read retry rules).
  resolve: { alias: { '@baton/contracts/read-retry': fileURLToPath(new URL('../../libs/contracts/src/read-retry.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/health': { target: gateway, changeOrigin: true },
      '/socket.io': { target: gateway, ws: true, changeOrigin: true },
    },
  },
});
