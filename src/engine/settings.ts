import { join } from "node:path";
import { readAdminSettings, SettingsError } from "../admin/index.js";
import type { EngineOptions } from "./engine.js";

type Raw = Record<string, unknown>;

/**
 * Reads `tsflyte serve engine`'s settings; paths are relative to `baseDir` (the config file's folder).
 *
 * ```yaml
 * admin: http://127.0.0.1:30080           # admin's URL (or --admin)
 * storage: { type: local, root: ./blobs }  # the store admin uses, same keys as admin's
 * workDir: ./engine                        # attempts' working dirs and logs
 * pollIntervalMs: 200
 * warmWorkers: 2                           # tsflyte task processes started ahead
 * images: { my-registry/app:1.0: /srv/app } # images the local plugin runs from a folder
 * ```
 */
export function readEngineSettings(
  raw: unknown,
  source: string,
  baseDir: string,
  adminUrl?: string,
): EngineOptions & { warmWorkers: number; images: Record<string, string> } {
  const top = (raw ?? {}) as Raw;
  if (typeof top !== "object" || Array.isArray(top))
    throw new SettingsError(source, "(top level)", "must be a mapping");
  const admin = adminUrl ?? top.admin;
  if (typeof admin !== "string" || !/^https?:\/\//.test(admin)) {
    throw new SettingsError(source, "admin", "must be admin's URL, e.g. http://127.0.0.1:30080 (or pass --admin)");
  }
  // The engine reads and writes the very store admin uses, described the same way.
  const storage = readAdminSettings({ storage: top.storage }, source, baseDir).storage;
  const number = (key: string, fallback: number) => {
    const value = top[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
      throw new SettingsError(source, key, "must be a whole number ≥ 0");
    return value;
  };
  const images = (top.images ?? {}) as Raw;
  if (typeof images !== "object" || Array.isArray(images) || Object.values(images).some((v) => typeof v !== "string")) {
    throw new SettingsError(source, "images", "must map image names to folders");
  }
  return {
    adminUrl: admin,
    storage,
    workDir: typeof top.workDir === "string" ? join(baseDir, top.workDir) : join(baseDir, "engine"),
    pollIntervalMs: number("pollIntervalMs", 200),
    warmWorkers: number("warmWorkers", 2),
    images: Object.fromEntries(Object.entries(images).map(([image, dir]) => [image, join(baseDir, dir as string)])),
  };
}
