// Where a demo keeps its blobs: a folder (the default), or a bucket of an S3-compatible endpoint that the cluster
// serves itself (`demo start --s3-port N`), so that any S3 client sees the code bundles, inputs and outputs. The
// choice is made at the first start and kept: blobs written one way cannot be read the other way.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { DemoError } from "./errors.js";
import type { DemoPaths } from "./paths.js";

export type BlobChoice = { kind: "folder" } | { kind: "s3"; port: number };

/** The demo's S3 bucket and its keys (s3rver accepts these). */
export const DEMO_BUCKET = "tsflyte-demo";
export const DEMO_S3_KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export function readBlobChoice(paths: DemoPaths): BlobChoice | undefined {
  if (!existsSync(paths.storage)) return undefined;
  return JSON.parse(readFileSync(paths.storage, "utf8")) as BlobChoice;
}

/**
 * The choice for this start: the recorded one, or `s3Port`'s on a first start. Asking for S3 on a demo whose blobs
 * are in a folder (or the reverse port) is refused with what to do.
 */
export function settleBlobChoice(paths: DemoPaths, s3Port: number | undefined, firstStart: boolean): BlobChoice {
  const recorded = readBlobChoice(paths);
  if (recorded === undefined || firstStart) {
    const choice: BlobChoice = s3Port === undefined ? { kind: "folder" } : { kind: "s3", port: s3Port };
    writeFileSync(paths.storage, `${JSON.stringify(choice)}\n`);
    return choice;
  }
  if (s3Port !== undefined && recorded.kind === "folder") {
    throw new DemoError(
      `this demo keeps its blobs in ${paths.blobs}, not behind an S3 endpoint; an S3 endpoint is chosen at a demo's ` +
        "first start: run tsflyte demo teardown (which deletes its data), then tsflyte demo start --s3-port N",
    );
  }
  if (s3Port !== undefined && recorded.kind === "s3" && recorded.port !== s3Port) {
    writeFileSync(paths.storage, `${JSON.stringify({ kind: "s3", port: s3Port })}\n`);
    return { kind: "s3", port: s3Port };
  }
  return recorded;
}
