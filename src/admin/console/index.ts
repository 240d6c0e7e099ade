// The web console under /console: the built SPA (dist/console) and two small JSON/text routes it needs that
// AdminService does not offer: task logs from the blob store and execution counts per phase.
import type { AdminContext } from "../context.js";
import { phaseCounts } from "./counts.js";
import { json, type Request, type Response } from "./http.js";
import { serveLog } from "./logs.js";
import { findConsoleDir, serveStatic } from "./static-files.js";

export { findConsoleDir } from "./static-files.js";

const PREFIX = "/console";

/**
 * Handles `/` (redirected to the console), `/console/api/*` and `/console/**`; returns false for every other
 * request so the RPCs get it. `dir` is the built console (default: found above this module).
 */
export function consoleHttpHandler(ctx: AdminContext, dir = findConsoleDir()) {
  return (req: Request, res: Response): boolean => {
    const url = new URL(req.url ?? "/", "http://admin");
    const method = req.method ?? "GET";
    if (url.pathname === "/" && (method === "GET" || method === "HEAD")) {
      res.writeHead(302, { location: `${PREFIX}/` });
      res.end();
      return true;
    }
    if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return false;
    if (method !== "GET" && method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("the console is read with GET\n");
      return true;
    }
    if (url.pathname === PREFIX) {
      res.writeHead(301, { location: `${PREFIX}/` });
      res.end();
      return true;
    }
    const path = url.pathname.slice(PREFIX.length + 1);
    if (path.startsWith("api/")) {
      api(ctx, path.slice(4), url.searchParams, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else json(res, 500, { code: "internal", message: error instanceof Error ? error.message : String(error) });
      });
      return true;
    }
    serveStatic(dir, path, req, res);
    return true;
  };
}

async function api(ctx: AdminContext, route: string, query: URLSearchParams, res: Response): Promise<void> {
  if (route === "logs") {
    const uri = query.get("uri");
    if (!uri) return json(res, 400, { code: "missing-uri", message: "give the log's URI as ?uri=" });
    return serveLog(ctx.store, uri, res);
  }
  if (route === "counts") {
    const project = query.get("project");
    const domain = query.get("domain");
    if (!project || !domain) return json(res, 400, { code: "missing-scope", message: "give ?project= and ?domain=" });
    return json(res, 200, { counts: await phaseCounts(ctx.db, project, domain) });
  }
  json(res, 404, { code: "not-found", message: `no console API route ${route}` });
}
