import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

// Admin serves the build under /console; `npm run console:dev` proxies the RPCs and the console API to an admin
// on :30080 so the dev server behaves like the real thing.
export default defineConfig({
  root: here,
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: `${here}../dist/console`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      "/flyteidl.service": "http://127.0.0.1:30080",
      "/tsflyte.usage.v1.UsageService": "http://127.0.0.1:30080",
      "/console/api": "http://127.0.0.1:30080",
      "/tsflyte/v1": "http://127.0.0.1:30080",
    },
  },
});
