import { packageJson } from "./source.js";

/** This package's version, recorded in every task's runtime metadata. */
export const SDK_VERSION: string = packageJson().version;
