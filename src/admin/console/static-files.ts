// Serves the built console (dist/console) under /console: files by path, every other path the SPA's
// index.html so that deep links and reloads land on the right page.
import { createReadStream, existsSync, statSync } from "node:fs";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Request, Response } from "./http.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The built console's folder: the first `dist/console` holding an index.html above this module. Walking up
 * finds it both from src/admin/console and from the CLI's bundle in node_modules/.cache.
 */
export function findConsoleDir(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "dist", "console");
    if (existsSync(join(candidate, "index.html"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Answers a GET/HEAD for `path` (below /console/) from `dir`. */
export function serveStatic(dir: string | undefined, path: string, req: Request, res: Response): void {
  if (dir === undefined) {
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(
      "The console is not built. Run `npm run build:console` in the tsflyte checkout (npm ci does it), then reload.\n",
    );
    return;
  }
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(path)).replace(/^[/\\]+/, "");
  } catch {
    relative = "";
  }
  const file = join(dir, relative);
  const inside = file.startsWith(dir + sep) && !relative.split(/[/\\]/).includes("..");
  const isFile = inside && existsSync(file) && statSync(file).isFile();
  // Unknown paths are the SPA's routes; a missing asset (a stale tab after a rebuild) must 404, not get HTML.
  if (!isFile && relative.startsWith("assets/")) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("no such console asset; reload the page to get the current console\n");
    return;
  }
  const target = isFile ? file : join(dir, "index.html");
  const headers: Record<string, string | number> = {
    "content-type": CONTENT_TYPES[extname(target)] ?? "application/octet-stream",
    "content-length": statSync(target).size,
    "x-content-type-options": "nosniff",
    // Vite names assets by content hash, so they never change; index.html must be revalidated to pick up a rebuild.
    "cache-control": isFile && relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache",
  };
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(target).pipe(res as NodeJS.WritableStream);
}
