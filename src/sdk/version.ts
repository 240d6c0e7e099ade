import { readFileSync } from "node:fs";

/** This package's version, recorded in every task's runtime metadata. */
export const SDK_VERSION: string = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
).version;
