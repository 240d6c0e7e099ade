// Opening the metastore: PGlite on a data directory (first open, reopen, the directory lock) and
// openDatabase's dispatch on the location string.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { DataDirInUseError, type Database, migrate, openDatabase, openPglite } from "../src/db/index.js";
import { POSTGRES_SERVER } from "./support/backends.js";

const root = mkdtempSync(join(tmpdir(), "tsflyte-pglite-"));
const dataDir = join(root, "data");
const lockFile = join(dataDir, "tsflyte.lock");

after(() => rmSync(root, { recursive: true, force: true }));

const probe = new pg.Client({ connectionString: POSTGRES_SERVER });
const reachable = await probe.connect().then(
  () => true,
  () => false,
);
await probe.end().catch(() => undefined);

async function timed(open: () => Promise<Database>): Promise<[Database, number]> {
  const started = performance.now();
  const db = await open();
  return [db, Math.round(performance.now() - started)];
}

describe("PGlite on a data directory", () => {
  test("first open creates it; a reopen finds the data", async (t) => {
    const [db, firstMs] = await timed(() => openPglite(dataDir));
    t.diagnostic(`first open of a new data directory: ${firstMs} ms`);
    assert.equal(db.dialect, "pglite");
    assert.ok(existsSync(lockFile));
    await migrate(db);
    await db.query("INSERT INTO projects (identifier, name) VALUES ($1, $2)", ["flytesnacks", "Flyte snacks"]);
    await db.close();
    assert.ok(!existsSync(lockFile), "close releases the lock");

    const [again, reopenMs] = await timed(() => openPglite(dataDir));
    t.diagnostic(`reopen of an existing data directory: ${reopenMs} ms`);
    try {
      assert.deepEqual((await migrate(again)).applied, []);
      assert.deepEqual(await again.query("SELECT identifier, name FROM projects"), [
        { identifier: "flytesnacks", name: "Flyte snacks" },
      ]);
    } finally {
      await again.close();
    }
  });

  test("a second instance on the same directory is refused while the first is open", async () => {
    const db = await openPglite(dataDir);
    try {
      const err = await openPglite(dataDir).then(
        () => assert.fail("expected the second open to be refused"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DataDirInUseError);
      assert.match(err.message, /data directory .* is already open in this process; one process may use it at a time/);
    } finally {
      await db.close();
    }
  });

  test("a lock held by another live process is respected", async () => {
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      writeFileSync(lockFile, String(holder.pid));
      const err = await openPglite(dataDir).then(
        () => assert.fail("expected the open to be refused"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DataDirInUseError);
      assert.match(err.message, new RegExp(`already open in process ${holder.pid}; .*delete .*tsflyte\\.lock`));
    } finally {
      holder.kill();
      rmSync(lockFile, { force: true });
    }
  });

  test("stale locks (dead process, or this pid from an earlier life) are taken over", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    for (const pid of [dead, process.pid]) {
      writeFileSync(lockFile, String(pid));
      const db = await openPglite(dataDir);
      await db.close();
      assert.ok(!existsSync(lockFile));
    }
  });

  test("close is idempotent", async () => {
    const db = await openPglite(dataDir);
    await Promise.all([db.close(), db.close()]);
    await db.close();
  });
});

describe("openDatabase", () => {
  test("a path or file:// URL opens PGlite on that directory", async () => {
    for (const location of [dataDir, pathToFileURL(dataDir).href]) {
      const db = await openDatabase(location);
      try {
        assert.equal(db.dialect, "pglite");
        assert.equal((await db.query("SELECT count(*) AS n FROM projects"))[0].n, 1);
      } finally {
        await db.close();
      }
    }
  });

  test("other schemes are refused by name", async () => {
    await assert.rejects(
      openDatabase("mysql://localhost/flyte"),
      /unsupported database location mysql:\/\/localhost\/flyte/,
    );
  });

  test("postgres:// opens a pool, and an unreachable server fails at open", {
    skip: reachable ? false : `no PostgreSQL at ${POSTGRES_SERVER}`,
  }, async () => {
    const db = await openDatabase(POSTGRES_SERVER);
    try {
      assert.equal(db.dialect, "postgres");
      assert.deepEqual(await db.query("SELECT 1 AS one"), [{ one: 1 }]);
    } finally {
      await db.close();
    }
    await assert.rejects(openDatabase("postgres://postgres@127.0.0.1:1/none"), /ECONNREFUSED/);
  });

  test("admin's PostgreSQL sessions price random reads for SSDs, unless the URL says otherwise", {
    skip: reachable ? false : `no PostgreSQL at ${POSTGRES_SERVER}`,
  }, async () => {
    const cost = async (url: string) => {
      const db = await openDatabase(url);
      try {
        // Every connection of the pool, not only the first.
        const answers = await Promise.all(
          Array.from({ length: 4 }, () =>
            db.transaction(
              async (tx) =>
                (await tx.query<{ cost: string }>("SELECT current_setting('random_page_cost') AS cost"))[0].cost,
            ),
          ),
        );
        return [...new Set(answers)];
      } finally {
        await db.close();
      }
    };
    assert.deepEqual(await cost(POSTGRES_SERVER), ["1.1"]);
    const url = new URL(POSTGRES_SERVER);
    url.searchParams.set("options", "-c random_page_cost=4");
    assert.deepEqual(await cost(url.href), ["4"]);
  });
});
