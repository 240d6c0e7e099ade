import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataDirInUseError } from "./errors.js";

// PGlite does not guard its data directory the way a postmaster does: two instances on one
// directory corrupt it. A lock file holding the owner's pid stands in for postmaster.pid.

const LOCK_FILE = "tsflyte.lock";

/** Data directories this process holds, to tell a live lock of ours from a stale one of an
 * earlier process that happened to have the same pid (a restarted container's pid 1). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data directory's lock (creating the directory) and returns its release function. */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(dir);
      return () => {
        held.delete(dir);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    // An empty file is a lock being written right now by its owner.
    const holder = Number.parseInt(readFileSync(path, "utf8"), 10);
    const stale = holder === process.pid ? !held.has(dir) : Number.isInteger(holder) && !alive(holder);
    if (!stale) {
      const who = holder === process.pid ? "this process" : `process ${Number.isNaN(holder) ? "?" : holder}`;
      throw new DataDirInUseError(
        `PGlite data directory ${dir} is already open in ${who}; one process may use it at a time ` +
          `(if no tsflyte process is running, delete ${path})`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new DataDirInUseError(`could not lock PGlite data directory ${dir}: ${path} keeps reappearing`);
}
