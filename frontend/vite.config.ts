import { defineConfig } from "vitest/config";

// The build goes to ../static, which the FastAPI app serves (and which is committed, so
// the Python package runs without Node). Asset names carry a content hash: cacheable forever.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../static",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    rollupOptions: { input: { index: "index.html", embed: "embed.html" } },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/ws": { target: "ws://127.0.0.1:8000", ws: true } } },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
