// Installs the TypeScript hooks for this process and turns on source maps so that stack
// traces point at the user's .ts lines.
import { register } from "node:module";

process.setSourceMapsEnabled(true);
register("./ts-hooks.mjs", import.meta.url);
