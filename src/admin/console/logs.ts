// A task log from the blob store, for the console's node panel: task executions name their logs by URI, and
// with a local store those are file:// URIs a browser cannot open. Only URIs inside admin's store are served.
import { pipeline } from "node:stream/promises";
import { BlobNotFoundError, type BlobStore, InvalidBlobUriError } from "../../storage/index.js";
import { json, type Response } from "./http.js";

/** Why `uri` may not be served, or undefined when it names a blob inside `store`. */
export function logUriRefusal(store: BlobStore, uri: string): string | undefined {
  const base = `${store.baseUri.replace(/\/+$/, "")}/`;
  if (!uri.startsWith(base)) return `only logs inside this admin's blob store (${base}) can be shown`;
  let decoded: string;
  try {
    decoded = decodeURIComponent(uri.slice(base.length));
  } catch {
    return "the log URI is not validly percent-encoded";
  }
  // The store resolves keys to paths; a `..` segment could step out of its root.
  if (decoded.split(/[/\\]/).some((part) => part === ".." || part === ".")) return "the log URI has . or .. segments";
  return undefined;
}

export async function serveLog(store: BlobStore, uri: string, res: Response): Promise<void> {
  const refusal = logUriRefusal(store, uri);
  if (refusal !== undefined) return json(res, 400, { code: "outside-store", message: refusal });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await store.getStream(uri);
  } catch (error) {
    if (error instanceof BlobNotFoundError) {
      return json(res, 404, {
        code: "not-found",
        message: "the log does not exist (yet): the task may not have started; it appears once it runs",
      });
    }
    if (error instanceof InvalidBlobUriError) return json(res, 400, { code: "invalid-uri", message: error.message });
    throw error;
  }
  // A running task's log grows: never cache it. nosniff keeps a log that looks like HTML from being rendered.
  res.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  await pipeline(stream, res as NodeJS.WritableStream);
}
