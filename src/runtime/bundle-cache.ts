import { createHash, randomUUID } from "node:crypto";
import { readFile, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { extractCodeBundle } from "./code-bundle.js";
import { type RuntimeStorage, parseLocation } from "./storage.js";

/** Written last into an extracted bundle: its digest, so a later task of the same bundle reuses the folder. */
const MARKER = ".tsflyte-bundle";

/** The folder under which bundles are cached by digest when the task names no destination. */
export function bundleCacheRoot(): string {
  return join(tmpdir(), "tsflyte-fast");
}

/** `fast<md5>.tar.gz` carries its digest in its name (flytekit's rule); undefined for other names. */
function digestInName(uri: string): string | undefined {
  const base =
    uri
      .replace(/[?#].*$/, "")
      .split("/")
      .at(-1) ?? "";
  return /^fast([0-9a-f]{32})\.tar\.gz$/.exec(base)?.[1];
}

async function download(uri: string, storage: RuntimeStorage): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(uri)) {
    const response = await fetch(uri);
    if (!response.ok) {
      throw new Error(
        `cannot download the code bundle ${uri}: HTTP ${response.status} ${response.statusText}; check that the URL has not expired`,
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  }
  return storage.read(parseLocation(uri));
}

async function holds(dir: string, digest: string): Promise<boolean> {
  try {
    return (await readFile(join(dir, MARKER), "utf8")) === digest;
  } catch {
    return false;
  }
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/**
 * The folder holding the code bundle at `uri`, extracted: `destDir` when given, else a cache
 * folder named by the bundle's digest. A folder that already holds the bundle is used as it is
 * (no download); otherwise the bundle is extracted into a private sibling folder and renamed
 * into place, so a concurrent task never sees half a bundle.
 */
export async function materializeBundle(
  uri: string,
  destDir: string | undefined,
  storage: RuntimeStorage,
): Promise<string> {
  const named = digestInName(uri);
  const targetFor = (digest: string) => (destDir ? resolve(destDir) : join(bundleCacheRoot(), digest));
  if (named && (await holds(targetFor(named), named))) return targetFor(named);

  const bytes = await download(uri, storage);
  const digest = named ?? createHash("md5").update(bytes).digest("hex");
  const target = targetFor(digest);
  if (await holds(target, digest)) return target;
  if (!(await isMissingOrEmpty(target))) {
    throw new Error(
      `the destination folder ${target} is not empty and holds no tsflyte code bundle; give --dest-dir a new or empty folder, or leave it empty to use a cache folder`,
    );
  }
  const staging = `${target}.${randomUUID()}.tmp`;
  try {
    await extractCodeBundle(bytes, uri, staging);
    // Bundled modules are named from the folder holding the nearest package.json, as at registration.
    await writeFile(join(staging, "package.json"), '{ "private": true }\n', { flag: "wx" }).catch((error) => {
      if (error.code !== "EEXIST") throw error;
    });
    await writeFile(join(staging, MARKER), digest);
    // rename(2) replaces an empty folder; a concurrent task that renamed first leaves a full one.
    await rmdir(target).catch(() => undefined);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === "ENOTEMPTY" || code === "EEXIST") && (await holds(target, digest))) return target;
    throw error;
  }
  return target;
}
