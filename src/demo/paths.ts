import { homedir } from "node:os";
import { join } from "node:path";

/** Where the demo cluster keeps everything: one folder, so `teardown` is one removal. */
export interface DemoPaths {
  /** ~/.tsflyte/demo */
  home: string;
  /** The running cluster's pid, port and URL (written by the cluster process, removed when it stops). */
  state: string;
  logs: string;
  /** The cluster process's own log (admin and engine); task logs live in the blob store. */
  log: string;
  /** PGlite's data directory. */
  db: string;
  blobs: string;
  /** The S3-compatible endpoint's data, for a demo started with one (`--s3-port`). */
  s3: string;
  /** How this demo stores its blobs, chosen at its first start (./blob-choice.ts). */
  storage: string;
  /** The engine's attempt working dirs. */
  engine: string;
}

/** The demo's folders under `home` (default: the user's home, so a test's HOME keeps its demo apart). */
export function demoPaths(home = homedir()): DemoPaths {
  const root = join(home, ".tsflyte", "demo");
  return {
    home: root,
    state: join(root, "demo.json"),
    logs: join(root, "logs"),
    log: join(root, "logs", "demo.log"),
    db: join(root, "db"),
    blobs: join(root, "blobs"),
    s3: join(root, "s3"),
    storage: join(root, "storage.json"),
    engine: join(root, "engine"),
  };
}
