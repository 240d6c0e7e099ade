import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { boundPort, listenOnePort } from "./one-port.js";
import { COMPRESS_MIN_BYTES, unaryFastPath } from "./unary-fast-path.js";

export interface AdminServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Registers the RPC services on the router. */
  routes: (router: ConnectRouter) => void;
  /** Plain HTTP routes tried before the RPCs (signed blob URLs, the console); true = handled. */
  http?: (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => boolean;
}

export interface RunningAdminServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the admin RPC services over gRPC (HTTP/2 cleartext), gRPC-Web and Connect, plus
 * `/healthz`, all on one port. Plain binary Connect unary calls take a shorter path (./unary-fast-path.ts).
 */
export async function startAdminServer(options: AdminServerOptions): Promise<RunningAdminServer> {
  const host = options.host ?? "127.0.0.1";
  const fastPath = unaryFastPath();
  const rpc = connectNodeAdapter({
    routes: (router) => options.routes(fastPath.recording(router)),
    grpc: true,
    grpcWeb: true,
    connect: true,
    compressMinBytes: COMPRESS_MIN_BYTES,
  });
  const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok"}');
      return;
    }
    if (options.http?.(req, res)) return;
    if (fastPath.serve(req, res)) return;
    rpc(req, res);
  };
  const listening = await listenOnePort(handler, options.port, host);
  const port = boundPort(listening.server);
  return { port, url: `http://${host}:${port}`, close: listening.close };
}
