// What the metastore and admin tests share: the two database backends they run on (embedded
// PGlite in memory, and a fresh database on the PostgreSQL server named by TSFLYTE_TEST_POSTGRES,
// dropped after the run) and a real admin server with a Connect or gRPC client in front of it.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type ServiceImpl } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import type { AdminConfig, AdminContext } from "../../src/admin/context.js";
import { type RunningAdminServer, startAdminServer } from "../../src/admin/server.js";
import { type Database, openPglite, openPostgres } from "../../src/db/index.js";
import { LocalBlobStore } from "../../src/storage/index.js";

/** The server the PostgreSQL runs use; each run gets a database of its own on it. */
export const POSTGRES_SERVER = process.env.TSFLYTE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

export interface Backend {
  name: string;
  /** The server URL of the run's database (PostgreSQL only). */
  url?: string;
  /** Why the suite is skipped, when it is. */
  skip?: string;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

/** Embedded PGlite in memory: nothing to create or drop. */
export function pgliteBackend(): Backend {
  return { name: "pglite (memory://)", open: () => openPglite("memory://"), cleanup: async () => undefined };
}

/** Runs one statement on the server's own database (CREATE/DROP DATABASE cannot run inside the target). */
async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A unique database name and its URL on the server; pid and random bytes keep parallel runs apart. */
function databaseOnServer(prefix: string): { database: string; url: string } {
  const database = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/${database}`;
  return { database, url: url.toString() };
}

const dropStatement = (database: string) => `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`;

/** Creates a fresh database on the server; throws when there is no server (for tests that require one). */
export async function createPostgresDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { database, url } = databaseOnServer(prefix);
  await onServer(`CREATE DATABASE ${database}`);
  return { url, drop: () => onServer(dropStatement(database)) };
}

/** A database of its own on the server for this run, or why there is none (so the suite skips). */
export async function postgresBackend(prefix: string): Promise<Backend> {
  const { database, url } = databaseOnServer(prefix);
  const backend: Backend = {
    name: "postgres (server)",
    url,
    open: () => openPostgres(url),
    cleanup: () => onServer(dropStatement(database)),
  };
  try {
    await onServer(`CREATE DATABASE ${database}`);
    return backend;
  } catch (err) {
    return { ...backend, skip: `no PostgreSQL at ${POSTGRES_SERVER}: ${(err as Error).message}` };
  }
}

export interface TestContextOptions {
  /** mkdtemp prefix of the blob store's directory. */
  tmpPrefix: string;
  domains: string[];
  defaultProject: string;
  /** Overrides of the defaults (http://localhost, metadata and data under the blob store). */
  config?: Partial<AdminConfig>;
}

export interface TestContext {
  ctx: AdminContext;
  store: LocalBlobStore;
  /** Closes the blob store and removes its directory (the database stays the caller's). */
  close(): Promise<void>;
}

/** An admin context on `db` with a local blob store in a temporary directory. */
export function testContext(db: Database, options: TestContextOptions): TestContext {
  const root = mkdtempSync(join(tmpdir(), options.tmpPrefix));
  const store = new LocalBlobStore(root);
  const ctx: AdminContext = {
    db,
    store,
    config: {
      domains: options.domains,
      defaultProject: options.defaultProject,
      publicUrl: "http://localhost",
      metadataPrefix: `${store.baseUri}/metadata`,
      rawOutputPrefix: `${store.baseUri}/data`,
      ...options.config,
    },
  };
  return {
    ctx,
    store,
    close: async () => {
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface TestAdminOptions extends TestContextOptions {
  /** Runs on the context before the server starts (seeding defaults, say). */
  prepare?: (ctx: AdminContext) => Promise<void>;
  /** Talk gRPC (HTTP/2) instead of Connect over HTTP/1.1. */
  grpc?: boolean;
}

export interface TestAdmin<S extends DescService> extends TestContext {
  server: RunningAdminServer;
  client: Client<S>;
}

/** A real admin server on a free loopback port serving `service` on `db`, and a client for it. */
export async function startTestAdmin<S extends DescService>(
  db: Database,
  service: S,
  implement: (ctx: AdminContext) => Partial<ServiceImpl<S>>,
  options: TestAdminOptions,
): Promise<TestAdmin<S>> {
  const context = testContext(db, options);
  try {
    await options.prepare?.(context.ctx);
    const server = await startAdminServer({
      port: 0,
      routes: (router) => router.service(service, implement(context.ctx)),
    });
    const transport = options.grpc
      ? createGrpcTransport({ baseUrl: server.url })
      : createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" });
    return {
      ...context,
      server,
      client: createClient(service, transport),
      close: async () => {
        await server.close();
        await context.close();
      },
    };
  } catch (err) {
    await context.close();
    throw err;
  }
}
