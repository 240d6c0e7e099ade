// The transport the CLI and the engine use to call admin. Unary calls, which are all they make, go as
// Connect-protocol binary POSTs on keep-alive HTTP/1.1 connections, written directly on node:http. The stock Connect
// transport wraps every call in async iterables, linked abort controllers and web Headers, and
// those objects outlive two scavenges (about 22 KB a call on the heap profile): GC pauses of 4–6 ms
// every ~150 calls. GetExecution's p99 on admin's fast path: 4.5–4.7 ms with the stock transport,
// 3.0–3.1 ms with this one (2 cores, docs/benchmarks.md). Big answers come gzipped only from an
// admin on another machine. Streaming calls are left to the stock transport.
import { request as httpRequest, type IncomingMessage, Agent as HttpAgent } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { gunzip } from "node:zlib";
import {
  create,
  type DescMessage,
  type DescMethodUnary,
  fromBinary,
  isMessage,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { codeFromHttpStatus, errorFromJsonBytes, trailerDemux } from "@connectrpc/connect/protocol-connect";
import { createConnectTransport } from "@connectrpc/connect-node";

/** Node error codes that mean the server could not be reached, as the stock transport maps them. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"]);
const HUNG_UP = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_DESTROYED"]);
const MAX_SOCKETS = 32;
const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;

export interface AdminTransportOptions {
  /**
   * Ask for gzipped answers (admin packs those of 16 KiB or more). Default: only for an admin that is not on this
   * machine, where the bytes saved outweigh the time spent packing and unpacking.
   */
  acceptGzip?: boolean;
}

export function adminTransport(baseUrl: string, options: AdminTransportOptions = {}): Transport {
  const base = new URL(baseUrl);
  const acceptGzip = options.acceptGzip ?? !LOOPBACK.test(base.hostname);
  const secure = base.protocol === "https:";
  const send = secure ? httpsRequest : httpRequest;
  // Bounded: a burst of engine events queues for a connection instead of opening hundreds.
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const prefix = base.href.replace(/\/$/, "");
  const streaming = createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true });

  async function unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: ConstructorParameters<typeof Headers>[0],
    input: MessageInitShape<I>,
  ): Promise<UnaryResponse<I, O>> {
    const message = isMessage(input, method.input) ? input : create(method.input, input);
    const body = toBinary(method.input, message);
    const headers: Record<string, string | number> = {};
    for (const [key, value] of new Headers(header)) headers[key] = value;
    headers["content-type"] = "application/proto";
    headers["connect-protocol-version"] = "1";
    headers["content-length"] = body.length;
    if (acceptGzip) headers["accept-encoding"] = "gzip";
    if (timeoutMs !== undefined) headers["connect-timeout-ms"] = Math.max(1, Math.ceil(timeoutMs));
    const url = `${prefix}/${method.parent.typeName}/${method.name}`;
    const answer = await post(url, headers, body, signal, timeoutMs);
    const [responseHeaders, trailer] = trailerDemux(answer.responseHeader);
    const encoding = responseHeaders.get("content-encoding");
    if (encoding !== null && encoding !== "identity" && !(encoding === "gzip" && acceptGzip)) {
      throw new ConnectError(
        `${url} answered with content-encoding ${encoding}, which was not asked for`,
        Code.Internal,
      );
    }
    const payload = encoding === "gzip" ? await gunzipped(answer.payload, url) : answer.payload;
    const { status } = answer;
    if (status !== 200) {
      const fallback = new ConnectError(`HTTP ${status} from ${url}`, codeFromHttpStatus(status), responseHeaders);
      const isJson = responseHeaders.get("content-type")?.startsWith("application/json") ?? false;
      throw isJson ? errorFromJsonBytes(payload, responseHeaders, fallback) : fallback;
    }
    const type = responseHeaders.get("content-type");
    if (type !== "application/proto") {
      throw new ConnectError(`${url} answered with content-type ${type}, not application/proto`, Code.Internal);
    }
    let output: UnaryResponse<I, O>["message"];
    try {
      output = fromBinary(method.output, payload);
    } catch (error) {
      throw new ConnectError(`${url}: the response does not parse: ${(error as Error).message}`, Code.Internal);
    }
    return {
      stream: false,
      service: method.parent,
      method,
      header: responseHeaders,
      message: output,
      trailer,
    };
  }

  function post(
    url: string,
    headers: Record<string, string | number>,
    body: Uint8Array,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<{ status: number; responseHeader: Headers; payload: Uint8Array }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(ConnectError.from(signal.reason, Code.Canceled));
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: ConnectError | undefined, result?: Parameters<typeof resolve>[0]) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error !== undefined) {
          call.destroy();
          reject(error);
        } else resolve(result!);
      };
      const onAbort = () => finish(ConnectError.from(signal?.reason, Code.Canceled));
      const call = send(url, { method: "POST", agent, headers }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => finish(fromNodeError(error, url)));
        response.on("end", () => {
          const responseHeader = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeader.append(key, v);
            else if (value !== undefined) responseHeader.set(key, value);
          }
          const payload = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          finish(undefined, { status: response.statusCode ?? 0, responseHeader, payload });
        });
      });
      call.on("error", (error) => finish(fromNodeError(error, url)));
      signal?.addEventListener("abort", onAbort);
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => finish(new ConnectError(`${url}: no answer within ${timeoutMs} ms`, Code.DeadlineExceeded)),
          timeoutMs,
        );
      }
      call.end(body);
    });
  }

  return { unary, stream: streaming.stream.bind(streaming) };
}

function gunzipped(packed: Uint8Array, url: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    gunzip(packed, (error, plain) =>
      error
        ? reject(new ConnectError(`${url}: the gzipped answer does not unpack: ${error.message}`, Code.Internal))
        : resolve(plain),
    ),
  );
}

function fromNodeError(error: Error, url: string): ConnectError {
  const code = (error as { code?: string }).code ?? "";
  const mapped = UNREACHABLE.has(code) ? Code.Unavailable : HUNG_UP.has(code) ? Code.Aborted : Code.Internal;
  return new ConnectError(`${url}: ${error.message}`, mapped, undefined, undefined, error);
}
