// DataProxy: signed upload and download URLs for the blob store, flyte:// data lookups, and the HTTP endpoint
// that serves the local store's signed URLs.
import type { ServiceImpl } from "@connectrpc/connect";
import type { DataProxyService } from "../../idl/gen/flyteidl/service/dataproxy_pb.js";
import type { AdminContext } from "../context.js";
import { createDownloadLink, createDownloadLocation } from "./download.js";
import { getData } from "./get-data.js";
import { DEFAULT_DATA_PROXY_OPTIONS, type DataProxyOptions } from "./options.js";
import { createUploadLocation } from "./upload.js";

export { blobHttpHandler, type HttpHandler } from "./blob-http.js";
export { DEFAULT_DATA_PROXY_OPTIONS, type DataProxyOptions } from "./options.js";

/** flyteidl's DataProxyService over admin's blob store and metastore. */
export function dataProxyService(
  ctx: AdminContext,
  options: Partial<DataProxyOptions> = {},
): ServiceImpl<typeof DataProxyService> {
  const settings = { ...DEFAULT_DATA_PROXY_OPTIONS, ...options };
  return {
    createUploadLocation: (req) => createUploadLocation(ctx, settings, req),
    createDownloadLocation: (req) => createDownloadLocation(ctx, settings, req),
    createDownloadLink: (req) => createDownloadLink(ctx, settings, req),
    getData: (req) => getData(ctx, settings, req),
  };
}
