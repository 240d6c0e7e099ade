import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { type Http2ServerRequest, type Http2ServerResponse, createServer as createHttp2Server } from "node:http2";
import { type AddressInfo, type Server, type Socket, createServer as createNetServer } from "node:net";
import { Duplex } from "node:stream";

type Handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * A socket whose first bytes were already read for sniffing: it replays them, then passes the
 * rest through. (Unshifting the bytes back into the socket does not work for HTTP/2, whose
 * session reads the native handle directly.)
 */
function replaying(socket: Socket, head: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    // The HTTP servers cork a response's head, body and end together; one send instead of three.
    writev(chunks, callback) {
      socket.cork();
      for (const { chunk, encoding } of chunks.slice(0, -1)) socket.write(chunk, encoding);
      const last = chunks[chunks.length - 1];
      socket.write(last.chunk, last.encoding, callback);
      socket.uncork();
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(head);
  socket.on("data", (chunk) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("error", (error) => duplex.destroy(error));
  socket.on("close", () => duplex.destroy());
  // The HTTP servers read these to log and to rate-limit; pass the real socket's values.
  Object.defineProperties(duplex, {
    remoteAddress: { get: () => socket.remoteAddress },
    remotePort: { get: () => socket.remotePort },
    localAddress: { get: () => socket.localAddress },
    localPort: { get: () => socket.localPort },
    encrypted: { value: false },
  });
  (duplex as unknown as { setTimeout: Socket["setTimeout"] }).setTimeout = socket.setTimeout.bind(socket);
  (duplex as unknown as { setNoDelay: Socket["setNoDelay"] }).setNoDelay = socket.setNoDelay.bind(socket);
  (duplex as unknown as { setKeepAlive: Socket["setKeepAlive"] }).setKeepAlive = socket.setKeepAlive.bind(socket);
  return duplex;
}

/**
 * One TCP port for gRPC (HTTP/2 cleartext, prior knowledge) and HTTP/1.1 (Connect, gRPC-Web,
 * the console, health): each connection's first bytes say which server gets it.
 */
export interface OnePortServer {
  server: Server;
  /** Stops listening and ends open connections (keep-alive ones would hold close() open). */
  close(): Promise<void>;
}

export function listenOnePort(handler: Handler, port: number, host: string): Promise<OnePortServer> {
  const http1 = createHttp1Server(handler);
  const http2 = createHttp2Server({}, handler);
  const sockets = new Set<Socket>();
  // noDelay: a response written in two parts must not wait ~40 ms for the client's delayed ACK.
  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.once("readable", function sniff() {
      const head: Buffer | null = socket.read();
      if (!head) {
        socket.once("readable", sniff);
        return;
      }
      socket.pause();
      const isHttp2 = head
        .subarray(0, PREFACE.length)
        .equals(PREFACE.subarray(0, Math.min(head.length, PREFACE.length)));
      const target = isHttp2 ? http2 : http1;
      target.emit("connection", replaying(socket, head));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        server,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
