// Inputs and outputs as GetExecutionData / GetNodeExecutionData / GetTaskExecutionData return
// them: the literal map itself plus a UrlBlob (size, and a signed URL when the store signs).
import { create, fromBinary } from "@bufbuild/protobuf";
import { type UrlBlob, UrlBlobSchema } from "../../idl/gen/flyteidl/admin/common_pb.js";
import { type LiteralMap, LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import { type BlobStore, joinUri } from "../../storage/index.js";
import type { AdminConfig } from "../context.js";

const URL_SECONDS = 3600;

export interface Data {
  blob: UrlBlob;
  full: LiteralMap;
}

/**
 * The literal map stored at `uri`. As in flyteadmin, a blob that cannot be read yields an empty
 * map rather than an error: data of a running or purged execution is simply not there yet.
 */
export async function readData(store: BlobStore, uri: string | null | undefined): Promise<Data> {
  const empty = { blob: create(UrlBlobSchema), full: create(LiteralMapSchema) };
  if (!uri) return empty;
  let bytes: Uint8Array;
  try {
    bytes = await store.get(uri);
  } catch {
    return empty;
  }
  return {
    blob: create(UrlBlobSchema, { url: await signedUrl(store, uri), bytes: BigInt(bytes.length) }),
    full: fromBinary(LiteralMapSchema, bytes),
  };
}

/** Inline data (outputs reported in an event) has no blob of its own. */
export function inlineData(map: LiteralMap): Data {
  return { blob: create(UrlBlobSchema), full: map };
}

// A store configured without signing (flyteadmin's signedUrls disabled, its default) gives no URL.
async function signedUrl(store: BlobStore, uri: string): Promise<string> {
  try {
    return (await store.signedDownloadUrl(uri, { expiresInSeconds: URL_SECONDS })).url;
  } catch {
    return "";
  }
}

/** Flyte URLs of a node's data: `flyte://v1/<project>/<domain>/<execution>/<node>/{i,o,d}`. */
export function flyteUrls(
  id: { project: string; domain: string; name: string },
  nodeId: string,
  deck: boolean,
  attempt?: number,
) {
  const base = `flyte://v1/${id.project}/${id.domain}/${id.name}/${nodeId}${attempt === undefined ? "" : `/${attempt}`}`;
  return { inputs: `${base}/i`, outputs: `${base}/o`, deck: deck ? `${base}/d` : "" };
}

/**
 * Admin's own blobs of an execution (`inputs`, `user_inputs`, offloaded data):
 * `<metadataPrefix>/<project>/<domain>/<name>`, i.e. Flyte's `<container>/metadata/<p>/<d>/<n>`.
 */
export function executionDataPrefix(config: AdminConfig, id: { project: string; domain: string; name: string }) {
  return joinUri(config.metadataPrefix, id.project, id.domain, id.name);
}
