// Real peers for admin's outgoing messages: an SMTP server (smtp-server) that keeps what it receives,
// and an HTTP server that keeps every request. Both listen on free loopback ports.
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  body: string;
  raw: string;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

function qDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "=") {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text[i] === "_" ? 32 : text.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Undoes header folding and quoted-printable soft breaks, enough to read what nodemailer wrote. */
function readMail(raw: string): { subject: string; body: string } {
  const [head, ...rest] = raw.split("\r\n\r\n");
  const headers = head.replace(/\r\n(?=[ \t])/g, "");
  // RFC 2047 words (nodemailer Q-encodes long subjects); the space between two words is not text.
  const subject = (/^Subject: (.*)$/im.exec(headers)?.[1] ?? "")
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, text: string) => qDecode(text));
  let body = rest.join("\r\n\r\n");
  if (/^Content-Transfer-Encoding: quoted-printable$/im.test(headers)) {
    body = body
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { subject, body };
}

export async function startSmtpPeer(port = 0): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        raw += chunk;
      });
      stream.on("end", () => {
        const from = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, ...readMail(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpPeer {
  port: number;
  url: string;
  requests: ReceivedRequest[];
  /** Answers this status to requests whose path starts with the prefix (default 200). */
  status: Map<string, number>;
  close(): Promise<void>;
}

export async function startHttpPeer(port = 0): Promise<HttpPeer> {
  const requests: ReceivedRequest[] = [];
  const status = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      requests.push({ path, headers: req.headers, body });
      const answer = [...status].find(([prefix]) => path.startsWith(prefix))?.[1] ?? 200;
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    requests,
    status,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a receiver checks: the body's HMAC-SHA256 under the shared secret. */
export function validSignature(secret: string, request: ReceivedRequest): boolean {
  const expected = `sha256=${createHmac("sha256", secret).update(request.body).digest("hex")}`;
  return request.headers["x-tsflyte-signature"] === expected;
}

/** A loopback port nothing listens on (for a peer that is down, or started later). */
export async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
