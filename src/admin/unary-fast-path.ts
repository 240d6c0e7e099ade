// Connect-protocol unary calls in binary protobuf, served without Connect's general handler. Admin's
// read APIs are small unary calls, and the general handler builds async iterables, linked abort
// signals and web Headers for each, and that garbage outlives scavenges: GetExecution from a plain
// client went from p50 0.9 / p99 3.4 ms to 0.8 / 3.1 ms here (docs/benchmarks.md). Here a call is:
// read the body, decode, run the method, encode, answer. Everything else (gRPC, gRPC-Web, JSON, GET,
// compressed requests, deadlines, streaming) goes to the general handler, which also answers
// unsupported headers and protocol versions with Connect's own errors.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { gzip } from "node:zlib";
import { create, type DescMethod, type DescService, fromBinary, isMessage, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes, trailerMux } from "@connectrpc/connect/protocol-connect";

/** Answers at least this big are gzipped for clients that accept it, on both paths (smaller ones cost more to pack). */
export const COMPRESS_MIN_BYTES = 16 * 1024;

type Method = (request: unknown, context: HandlerContext) => unknown;
interface UnaryEntry {
  service: DescService;
  method: DescMethod;
  implementation: Method;
}

export interface UnaryFastPath {
  /** Wraps the router handed to `routes`, noting each unary method it registers. */
  recording(router: ConnectRouter): ConnectRouter;
  /** Serves the request and answers true when it is a plain binary Connect unary call of a known method. */
  serve(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): boolean;
}

export function unaryFastPath(): UnaryFastPath {
  const methods = new Map<string, UnaryEntry>();

  function recording(router: ConnectRouter): ConnectRouter {
    const wrapper: ConnectRouter = {
      get handlers() {
        return router.handlers;
      },
      service(service, implementation, options) {
        for (const method of service.methods) {
          const fn = (implementation as Record<string, unknown>)[method.localName];
          if (method.methodKind === "unary" && typeof fn === "function") {
            methods.set(`/${service.typeName}/${method.name}`, {
              service,
              method,
              implementation: fn.bind(implementation) as Method,
            });
          }
        }
        router.service(service, implementation, options);
        return wrapper;
      },
      rpc(method, implementation, options) {
        router.rpc(method, implementation, options);
        return wrapper;
      },
    };
    return wrapper;
  }

  function serve(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): boolean {
    const headers = req.headers;
    if (
      req.method !== "POST" ||
      headers["content-type"] !== "application/proto" ||
      headers["content-encoding"] !== undefined ||
      headers["connect-timeout-ms"] !== undefined ||
      (headers["connect-protocol-version"] !== undefined && headers["connect-protocol-version"] !== "1")
    ) {
      return false;
    }
    const entry = methods.get(req.url ?? "");
    if (entry === undefined) return false;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      answer(entry, req, res, body).catch((error) => res.destroy(error));
    });
    return true;
  }

  return { recording, serve };
}

async function answer(
  entry: UnaryEntry,
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  body: Buffer,
): Promise<void> {
  const context = createHandlerContext({
    service: entry.service,
    method: entry.method,
    protocolName: "connect",
    requestMethod: "POST",
    url: req.url ?? "",
    requestHeader: requestHeaders(req),
  } as Parameters<typeof createHandlerContext>[0]);
  // The method's signal says the client went away, as on the general path.
  const hungUp = () => {
    if (!res.writableFinished) context.abort(new ConnectError("the client closed the request", Code.Canceled));
  };
  res.once("close", hungUp);
  let status = 200;
  let payload: Uint8Array;
  let failure: ConnectError | undefined;
  try {
    let input: unknown;
    try {
      input = fromBinary(entry.method.input, body);
    } catch (error) {
      throw new ConnectError(`parse binary: ${(error as Error).message}`, Code.InvalidArgument);
    }
    const output = await entry.implementation(input, context);
    const message = isMessage(output, entry.method.output) ? output : create(entry.method.output, output as never);
    payload = toBinary(entry.method.output, message);
  } catch (thrown) {
    failure = ConnectError.from(thrown, Code.Internal);
    status = codeToHttpStatus(failure.code);
    payload = errorToJsonBytes(failure, {});
  }
  const headers = trailerMux(context.responseHeader, context.responseTrailer);
  headers.set("content-type", failure === undefined ? "application/proto" : "application/json");
  for (const [key, value] of failure?.metadata ?? []) headers.append(key, value);
  if (payload.length >= COMPRESS_MIN_BYTES && acceptsGzip(req.headers["accept-encoding"])) {
    payload = await new Promise<Buffer>((resolve, reject) =>
      gzip(payload, (error, packed) => (error ? reject(error) : resolve(packed))),
    );
    headers.set("content-encoding", "gzip");
  }
  headers.set("content-length", String(payload.length));
  res.off("close", hungUp);
  (res as ServerResponse).writeHead(status, Object.fromEntries(headers));
  res.end(payload);
}

function requestHeaders(req: IncomingMessage | Http2ServerRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else headers.set(key, value);
  }
  return headers;
}

function acceptsGzip(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(",").some((part) => {
    const [name, ...params] = part.trim().split(";");
    return name.trim() === "gzip" && !params.some((p) => p.replace(/\s/g, "") === "q=0");
  });
}
