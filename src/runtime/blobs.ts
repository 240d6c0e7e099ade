import { randomBytes } from "node:crypto";
import { resolve, sep } from "node:path";
import { type Blob, BlobType_BlobDimensionality, type Literal, type LiteralMap } from "../idl/index.js";
import { type Location, type RuntimeStorage, childLocation, locationUri, parseLocation } from "./storage.js";

/** Every blob literal in a literal tree (inside collections and maps too), in a stable order. */
function blobsIn(literal: Literal): Blob[] {
  const { value } = literal;
  switch (value.case) {
    case "scalar":
      return value.value.value.case === "blob" ? [value.value.value.value] : [];
    case "collection":
      return value.value.literals.flatMap(blobsIn);
    case "map":
      return Object.keys(value.value.literals)
        .sort()
        .flatMap((key) => blobsIn(value.value.literals[key]));
    default:
      return [];
  }
}

function allBlobs(map: LiteralMap): Blob[] {
  return Object.keys(map.literals)
    .sort()
    .flatMap((name) => blobsIn(map.literals[name]));
}

const isDirectory = (blob: Blob) => blob.metadata?.type?.dimensionality === BlobType_BlobDimensionality.MULTIPART;

/**
 * Gives the task local paths for the files and directories among its inputs: a `file://` URI
 * becomes its path (nothing to copy on this machine), a blob in S3 is downloaded into
 * `downloadDir`. Changes the literals in place.
 */
export async function localizeInputBlobs(
  inputs: LiteralMap,
  storage: RuntimeStorage,
  downloadDir: string,
): Promise<void> {
  let index = 0;
  for (const blob of allBlobs(inputs)) {
    const from = parseLocation(blob.uri);
    if (from.kind === "local") {
      blob.uri = from.path;
      continue;
    }
    const name = from.uri.slice(from.uri.lastIndexOf("/") + 1) || "blob";
    const target = resolve(downloadDir, String(index++), name);
    if (isDirectory(blob)) await storage.downloadDirectory(from.uri, target);
    else await storage.downloadFile(from.uri, target);
    blob.uri = target;
  }
}

/**
 * Moves the files and directories a task returned as local paths into the raw output data
 * prefix and points the literals at them, so a task on another machine can read them. A
 * path already inside a local raw-data folder stays where it is; remote URIs pass unchanged.
 */
export async function publishOutputBlobs(
  outputs: LiteralMap,
  storage: RuntimeStorage,
  rawOutputData: Location,
): Promise<void> {
  for (const blob of allBlobs(outputs)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(blob.uri) && !blob.uri.startsWith("file://")) continue;
    const path = parseLocation(blob.uri);
    if (path.kind !== "local") continue;
    if (rawOutputData.kind === "local" && isInside(path.path, rawOutputData.path)) {
      blob.uri = locationUri(path);
      continue;
    }
    const name = path.path.slice(path.path.lastIndexOf(sep) + 1);
    // A random folder per blob: two outputs named alike (two "out.txt") must not overwrite each other.
    const target = childLocation(rawOutputData, randomBytes(8).toString("hex"), name);
    await storage.upload(path.path, target);
    blob.uri = locationUri(target);
  }
}

function isInside(path: string, dir: string): boolean {
  const root = resolve(dir);
  const full = resolve(path);
  return full === root || full.startsWith(root + sep);
}
