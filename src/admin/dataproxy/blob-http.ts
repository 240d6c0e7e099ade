import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { extname } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  BlobIntegrityError,
  BlobNotFoundError,
  LocalBlobStore,
  type SignedRequestRefusal,
} from "../../storage/index.js";
import type { AdminContext } from "../context.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** Handles the request and returns true when it is one of its own, else returns false and leaves it alone. */
export type HttpHandler = (req: Request, res: Response) => boolean;

const REFUSAL_STATUS: Record<SignedRequestRefusal, number> = {
  malformed: 400,
  "method-not-allowed": 405,
  "bad-signature": 403,
  expired: 403,
  "md5-mismatch": 400,
};

/** Types a browser may render (decks are HTML); everything else downloads as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves the local blob store's signed URLs under `<publicUrl path>/blobs/`: a PUT streams its body into the store
 * (refused unless signature, expiry and MD5 all check out, and then only stored if the body has that MD5), a GET
 * streams the blob out. Refusals are JSON `{code, message}` with a 4xx status. With an S3 store the signed URLs point
 * at S3, so every /blobs/ request is answered 404.
 */
export function blobHttpHandler(ctx: AdminContext): HttpHandler {
  const prefix = `${new URL(ctx.config.publicUrl).pathname.replace(/\/+$/, "")}/blobs/`;
  return (req, res) => {
    if (!(req.url ?? "").startsWith(prefix)) return false;
    serve(ctx, req, res).catch((error: unknown) => {
      // A download that broke mid-body can only be cut off; anything earlier still gets a JSON answer.
      if (res.headersSent) res.destroy(error instanceof Error ? error : new Error(String(error)));
      else reply(res, 500, "internal", errorMessage(error));
    });
    return true;
  };
}

async function serve(ctx: AdminContext, req: Request, res: Response): Promise<void> {
  const store = ctx.store;
  if (!(store instanceof LocalBlobStore)) {
    req.resume();
    return reply(res, 404, "not-found", `this admin keeps blobs in ${store.baseUri}; its signed URLs point there`);
  }
  const contentMd5 = req.headers["content-md5"];
  const check = store.verifySignedRequest(req.method ?? "", req.url ?? "", {
    bodyMd5: Array.isArray(contentMd5) ? contentMd5[0] : contentMd5,
  });
  if (!check.ok) {
    // Read (and drop) a refused upload's body so the connection stays usable for the next request.
    req.resume();
    if (check.refusal === "method-not-allowed") res.setHeader("allow", "GET, PUT");
    return reply(res, REFUSAL_STATUS[check.refusal], check.refusal, check.reason);
  }
  if (req.method?.toUpperCase() === "PUT") {
    try {
      await store.put(check.uri, req, { contentMd5: check.contentMd5 });
    } catch (error) {
      req.resume();
      if (error instanceof BlobIntegrityError) return reply(res, 400, "md5-mismatch", error.message);
      return reply(res, 500, "store-failed", errorMessage(error));
    }
    const etag = Buffer.from(check.contentMd5 ?? "", "base64").toString("hex");
    res.writeHead(200, { etag: `"${etag}"`, "content-length": "0" });
    res.end();
    return;
  }
  let blob: NodeJS.ReadableStream;
  try {
    blob = await store.getStream(check.uri);
  } catch (error) {
    if (error instanceof BlobNotFoundError) return reply(res, 404, "not-found", error.message);
    return reply(res, 500, "store-failed", errorMessage(error));
  }
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(check.key).toLowerCase()] ?? "application/octet-stream",
    "x-content-type-options": "nosniff",
    // Blobs are user content served from admin's origin: a sandbox keeps a deck's scripts away from admin's.
    "content-security-policy": "sandbox allow-scripts",
  });
  await pipeline(blob, res);
}

function reply(res: Response, status: number, code: string, message: string): void {
  const body = JSON.stringify({ code, message });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
