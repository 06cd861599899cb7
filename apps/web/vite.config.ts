import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API (apps/api) listens on 127.0.0.1:8000 by default; override with BATTYCODA_API_URL.
const apiTarget = process.env.BATTYCODA_API_URL ?? "http://127.0.0.1:8000";
const proxied = ["/trpc", "/api", "/media", "/health"];

export default defineConfig({
  plugins: [react()],
  // Only VITE_* variables reach the browser bundle (VITE_SENTRY_DSN, VITE_FEATURE_*).
  envPrefix: "VITE_",
  // Root .env is shared by api, worker and web.
  envDir: "../..",
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
  preview: {
    host: "127.0.0.1",
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
  build: {
    outDir: "dist",
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
});
