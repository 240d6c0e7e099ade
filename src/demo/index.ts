// The demo cluster (`tsflyte demo`): admin and the engine as one background process on this machine, with its
// metastore, blobs and logs in ~/.tsflyte/demo. No Docker, no Kubernetes, nothing to download.
export { DEMO_BUCKET, DEMO_S3_KEYS, readBlobChoice } from "./blob-choice.js";
export { type DemoClusterOptions, initDemoCluster, type RunningDemoCluster, startDemoCluster } from "./cluster.js";
export {
  DEFAULT_DEMO_PORT,
  DEMO_HOST,
  runningDemo,
  type StartOptions,
  type Started,
  startDemo,
  stopDemo,
  teardownDemo,
} from "./control.js";
export { DemoError } from "./errors.js";
export { type DemoPaths, demoPaths } from "./paths.js";
export type { DemoState } from "./state.js";
export { type DemoCounts, type DemoStatus, demoStatus, residentBytes } from "./status.js";
