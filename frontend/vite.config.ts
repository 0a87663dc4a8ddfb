import { defineConfig, type Plugin } from "vitest/config";

// The build goes to ../static, which the FastAPI app serves (and which is committed, so
// the Python package runs without Node). Asset names carry a content hash: cacheable forever.
export default defineConfig({
  base: "/",
  plugins: [preloadElement()],
  build: {
    outDir: "../static",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: "index.html", embed: "embed.html" } },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/ws": { target: "ws://127.0.0.1:8000", ws: true } } },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});

/** The pages fetch the element's chunk while the small entry runs (main.ts imports it later). */
function preloadElement(): Plugin {
  return {
    name: "preload-element",
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === "chunk" && c.isDynamicEntry);
        return chunk ? [{ tag: "link", attrs: { rel: "modulepreload", crossorigin: true, href: `/${chunk.fileName}` }, injectTo: "head" }] : [];
      },
    },
  };
}
