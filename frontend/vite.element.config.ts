import { defineConfig } from "vite";

// The element as one file, for exports and other sites (src/element.ts). It is built after
// the pages (vite.config.ts, which empties ../static) and added beside their assets.
export default defineConfig({
  build: {
    outDir: "../static",
    emptyOutDir: false,
    target: "es2022",
    modulePreload: false,
    rollupOptions: {
      input: "src/element.ts",
      output: { entryFileNames: "assets/element-[hash].js", codeSplitting: false },
    },
  },
});
