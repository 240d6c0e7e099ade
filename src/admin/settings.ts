import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BlobStoreConfig } from "../storage/index.js";
import { DEFAULT_DOMAINS } from "./context.js";
import { type EventSettings, readEventSettings } from "./events-out/index.js";
import { type NotificationSettings, readNotificationSettings } from "./notifications/index.js";
import { MAX_WORKFLOW_NODES } from "./registration/index.js";

/** Everything `tsflyte serve admin` needs, read from its YAML config. */
export interface AdminSettings {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where clients reach admin; default http://<host>:<port> once the port is known. */
  publicUrl: string | undefined;
  /** `postgres://...` for a PostgreSQL server, or a PGlite data directory. */
  database: string;
  /** Signed URLs of the local store need them: publicBaseUrl and signingKey are set at start. */
  storage: BlobStoreConfig;
  /** Holds the local store's URL-signing key, made on first start. */
  signingKeyFile: string;
  domains: string[];
  defaultProject: string;
  /** `registration.maxWorkflowNodes`: most nodes a workflow may have; 0 lifts the limit. */
  maxWorkflowNodes: number;
  /** `notifications:`: templates, retries and the email, Slack and webhook channels (docs/notifications.md). */
  notifications: NotificationSettings;
  /** `events:`: the sinks every accepted event is published to (docs/notifications.md). */
  events: EventSettings;
}

/** A setting that is wrong: names the key, the problem and what is accepted. */
export class SettingsError extends Error {
  constructor(source: string, key: string, problem: string) {
    super(`${source}: ${key} ${problem}`);
    this.name = "SettingsError";
  }
}

type Raw = Record<string, unknown>;

function mapping(value: unknown, key: string, source: string): Raw {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new SettingsError(source, key, "must be a mapping");
  return value as Raw;
}

function str(value: unknown, key: string, source: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || value === "") throw new SettingsError(source, key, "must be a non-empty string");
  return value;
}

/**
 * Reads admin's settings. Paths are relative to `baseDir` (the config file's folder); every
 * default makes a working single-machine admin under `baseDir`.
 *
 * ```yaml
 * server: { host: 127.0.0.1, port: 30080, publicUrl: http://127.0.0.1:30080 }
 * database: ./db                 # or postgres://user@host:5432/flyte
 * storage: { type: local, root: ./blobs }   # or { type: s3, bucket, region, endpoint, ... }
 * domains: [development, staging, production]
 * defaultProject: flytesnacks
 * registration: { maxWorkflowNodes: 100 }   # flyteadmin's default; 0 lifts the limit
 * notifications: { email: { host, port, from }, slack: { channels }, webhooks }   # docs/notifications.md
 * events: { sinks: [{ type: nats, servers: nats://127.0.0.1:4222 }] }             # docs/notifications.md
 * ```
 */
export function readAdminSettings(raw: unknown, source: string, baseDir: string): AdminSettings {
  const top = mapping(raw, "(top level)", source);
  const fail = (key: string, problem: string): never => {
    throw new SettingsError(source, key, problem);
  };
  const server = mapping(top.server, "server", source);
  const host = str(server.host, "server.host", source, "127.0.0.1");
  const port = server.port ?? 30080;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(source, "server.port", "must be a port number (0 picks a free one)");
  }
  const publicUrl = server.publicUrl === undefined ? undefined : str(server.publicUrl, "server.publicUrl", source, "");
  const at = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const database = str(top.database, "database", source, join(baseDir, "db"));
  const storageRaw = mapping(top.storage, "storage", source);
  const kind = str(storageRaw.type, "storage.type", source, "local");
  let storage: BlobStoreConfig;
  if (kind === "local") {
    storage = { kind: "local", root: at(str(storageRaw.root, "storage.root", source, "blobs")) };
  } else if (kind === "s3") {
    const bucket = str(storageRaw.bucket, "storage.bucket", source, "");
    storage = { ...storageRaw, kind: "s3", bucket } as unknown as BlobStoreConfig;
  } else {
    throw new SettingsError(source, "storage.type", `is "${kind}"; use local or s3`);
  }
  const domains = top.domains ?? DEFAULT_DOMAINS;
  if (!Array.isArray(domains) || domains.length === 0 || domains.some((d) => typeof d !== "string" || d === "")) {
    throw new SettingsError(source, "domains", "must be a non-empty list of domain names");
  }
  return {
    host,
    port,
    publicUrl,
    database: database.includes("://") ? database : at(database),
    storage,
    signingKeyFile: at(str(top.signingKeyFile, "signingKeyFile", source, "signing.key")),
    domains: domains as string[],
    defaultProject: str(top.defaultProject, "defaultProject", source, "flytesnacks"),
    maxWorkflowNodes: maxWorkflowNodes(mapping(top.registration, "registration", source).maxWorkflowNodes, source),
    notifications: readNotificationSettings(top.notifications, fail),
    events: readEventSettings(top.events, fail),
  };
}

function maxWorkflowNodes(value: unknown, source: string): number {
  if (value === undefined || value === null) return MAX_WORKFLOW_NODES;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new SettingsError(source, "registration.maxWorkflowNodes", "must be a whole number (0 lifts the limit)");
  }
  return value;
}

/** The store's base URI: where metadata and raw data prefixes live. */
export function storeBaseUri(storage: BlobStoreConfig): string {
  return storage.kind === "local" ? pathToFileURL(storage.root).href : `s3://${storage.bucket}`;
}
