import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { UsageError } from "./errors.js";

/** Where the CLI sends requests and which project/domain it uses by default. */
export interface ClientConfig {
  /** Admin's base URL, e.g. http://127.0.0.1:30080. */
  adminUrl: string;
  project: string;
  domain: string;
  /** The file these settings came from, for messages; undefined when only defaults apply. */
  source: string | undefined;
}

const DEFAULT_ENDPOINT = "http://127.0.0.1:30080";

/**
 * The config file to read: `--config`, then TSFLYTE_CONFIG, then ~/.tsflyte/config.yaml, then
 * flytectl's own (FLYTECTL_CONFIG, ~/.flyte/config.yaml) so Flyte users need nothing new.
 */
export function configPath(explicit: string | undefined): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new UsageError(`config file ${explicit} does not exist; check the --config path`);
    return explicit;
  }
  const candidates = [
    process.env.TSFLYTE_CONFIG,
    userConfigPath(),
    process.env.FLYTECTL_CONFIG,
    join(homedir(), ".flyte", "config.yaml"),
  ];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}

/** `dns:///host:port`, `host:port`, `http(s)://host:port` -> a base URL; `insecure` picks http. */
export function adminUrl(endpoint: string, insecure: boolean, where: string): string {
  const bare = endpoint.replace(/^dns:\/\/\//, "").replace(/\/+$/, "");
  if (/^https?:\/\//.test(bare)) return bare;
  if (!/^[\w.-]+(:\d+)?$/.test(bare)) {
    throw new UsageError(
      `${where}: admin.endpoint "${endpoint}" is not host:port, dns:///host:port or http(s)://host:port`,
    );
  }
  return `${insecure ? "http" : "https"}://${bare}`;
}

function section(value: unknown, key: string, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new UsageError(`${where}: "${key}" must be a mapping`);
  return value as Record<string, unknown>;
}

function text(value: unknown, key: string, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") throw new UsageError(`${where}: "${key}" must be a non-empty string`);
  return value;
}

export function loadClientConfig(explicit?: string): ClientConfig {
  const source = configPath(explicit);
  let raw: Record<string, unknown> = {};
  if (source) {
    try {
      raw = section(YAML.parse(readFileSync(source, "utf8")), "(top level)", source);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${source} is not valid YAML: ${(error as Error).message}`);
    }
  }
  const where = source ?? "defaults";
  const admin = section(raw.admin, "admin", where);
  const task = section(raw.task, "task", where);
  const insecure = admin.insecure === undefined ? true : admin.insecure;
  if (typeof insecure !== "boolean") throw new UsageError(`${where}: "admin.insecure" must be true or false`);
  const endpoint = text(admin.endpoint, "admin.endpoint", where) ?? process.env.FLYTE_PLATFORM_URL ?? DEFAULT_ENDPOINT;
  return {
    adminUrl: adminUrl(endpoint, insecure, where),
    project:
      process.env.FLYTE_DEFAULT_PROJECT ??
      text(raw.project, "project", where) ??
      text(task.project, "task.project", where) ??
      "flytesnacks",
    domain:
      process.env.FLYTE_DEFAULT_DOMAIN ??
      text(raw.domain, "domain", where) ??
      text(task.domain, "task.domain", where) ??
      "development",
    source,
  };
}

/** The file `tsflyte demo start` points at the demo: the one later commands read unless told otherwise. */
export function userConfigPath(): string {
  return join(homedir(), ".tsflyte", "config.yaml");
}

/**
 * Sets `admin.endpoint` (as `dns:///host:port`) and `admin.insecure` in `file`, creating it if needed; every other
 * key and comment stays. Returns the endpoint it replaced, if another.
 */
export function saveAdminEndpoint(file: string, url: string): string | undefined {
  const document = existsSync(file) ? YAML.parseDocument(readFileSync(file, "utf8")) : new YAML.Document({});
  if (document.errors.length > 0) {
    throw new UsageError(`${file} is not valid YAML (${document.errors[0].message}); fix or remove it`);
  }
  const { protocol, host } = new URL(url);
  const endpoint = `dns:///${host}`;
  const previous = document.getIn(["admin", "endpoint"]);
  document.setIn(["admin", "endpoint"], endpoint);
  document.setIn(["admin", "insecure"], protocol === "http:");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, document.toString());
  return typeof previous === "string" && previous !== endpoint ? previous : undefined;
}
