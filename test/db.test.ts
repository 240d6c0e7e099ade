// The metastore contract, run the same way on embedded PGlite (in memory) and on the PostgreSQL
// server named by TSFLYTE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test; a fresh
// database is created for the run and dropped after it; skipped when no server answers).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type ColumnMap,
  type Database,
  EXECUTION_COLUMNS,
  type Filter,
  InvalidArgumentError,
  LAUNCH_PLAN_COLUMNS,
  type ListQuery,
  listQuery,
  loadMigrations,
  MIGRATIONS_DIR,
  type Migration,
  MigrationError,
  makeFilter,
  migrate,
  NAMED_ENTITY_COLUMNS,
  NODE_EXECUTION_COLUMNS,
  nextPageToken,
  openPostgres,
  orderBy,
  PROJECT_COLUMNS,
  parseFilters,
  parsePage,
  type Queryable,
  SIGNAL_COLUMNS,
  SqlState,
  sqlState,
  TASK_COLUMNS,
  TASK_EXECUTION_COLUMNS,
  WORKFLOW_COLUMNS,
} from "../src/db/index.js";
import { pgliteBackend, postgresBackend } from "./support/backends.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const migration = (version: number, file: string, sql: string): Migration => ({
  version,
  file,
  sql,
  checksum: sha256(sql),
});
const BYTES = new Uint8Array([0x0a, 0x00, 0xff]);

/** The error `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (err: Error) => err,
  );
}

describe("loadMigrations", () => {
  test("reads the shipped migrations in order with sha256 checksums", () => {
    const migrations = loadMigrations();
    assert.equal(migrations[0].file, "0001_init.sql");
    assert.equal(migrations[0].version, 1);
    assert.equal(migrations[0].checksum, sha256(readFileSync(join(MIGRATIONS_DIR, "0001_init.sql"), "utf8")));
    assert.deepEqual(
      migrations.map((m) => m.version),
      [...migrations.map((m) => m.version)].sort((a, b) => a - b),
    );
  });

  test("names, duplicates and line endings", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsflyte-migrations-"));
    try {
      writeFileSync(join(dir, "0002_b.sql"), "SELECT 2;\r\nSELECT 3;\r\n");
      writeFileSync(join(dir, "0001_a.sql"), "SELECT 1;\n");
      writeFileSync(join(dir, "README.md"), "not a migration");
      const loaded = loadMigrations(dir);
      assert.deepEqual(
        loaded.map((m) => [m.version, m.file]),
        [
          [1, "0001_a.sql"],
          [2, "0002_b.sql"],
        ],
      );
      // A CRLF checkout of the same file keeps its checksum.
      assert.equal(loaded[1].checksum, sha256("SELECT 2;\nSELECT 3;\n"));

      writeFileSync(join(dir, "0002_c.sql"), "SELECT 4;");
      assert.throws(() => loadMigrations(dir), /migrations 0002_b.sql and 0002_c.sql have the same version 0002/);
      rmSync(join(dir, "0002_c.sql"));
      writeFileSync(join(dir, "3_Bad Name.sql"), "");
      assert.throws(
        () => loadMigrations(dir),
        (err) => err instanceof MigrationError && /3_Bad Name.sql is not named NNNN_name.sql/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => loadMigrations(join(dir, "gone")), /cannot read the migrations directory/);
  });
});

const pglite = pgliteBackend();
const postgres = await postgresBackend("tsflyte_db_test");

for (const backend of [pglite, postgres]) {
  describe(`metastore on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;

    before(async () => {
      const started = performance.now();
      db = await backend.open();
      console.log(`${backend.name}: opened in ${Math.round(performance.now() - started)} ms`);
    });

    after(async () => {
      await db?.close();
      await backend.cleanup();
    });

    describe("migrations", () => {
      test("apply to an empty database, then do nothing", async () => {
        const first = await migrate(db);
        assert.deepEqual(
          first.applied.map((m) => m.file),
          loadMigrations().map((m) => m.file),
        );
        assert.equal(first.version, loadMigrations().at(-1)?.version);
        const second = await migrate(db);
        assert.deepEqual(second, { applied: [], version: first.version });

        const tables = await db.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
        );
        assert.deepEqual(
          tables.map((t) => t.table_name),
          [
            "description_entities",
            "execution_events",
            "execution_tags",
            "execution_usage",
            "executions",
            "launch_plans",
            "named_entity_metadata",
            "node_executions",
            "outbox",
            "projects",
            "resource_attributes",
            "schema_migrations",
            "signals",
            "task_executions",
            "tasks",
            "usage_daily",
            "workflows",
          ],
        );
        const recorded = await db.query("SELECT version, file, checksum FROM schema_migrations");
        assert.deepEqual(
          recorded,
          loadMigrations().map(({ version, file, checksum }) => ({ version, file, checksum })),
        );
      });

      test("refuse a migration edited after it was applied", async () => {
        const edited = loadMigrations().map((m) => migration(m.version, m.file, `${m.sql}\n-- tweak\n`));
        const err = await failure(migrate(db, edited));
        assert.ok(err instanceof MigrationError);
        assert.match(err.message, /^migration 0001_init.sql changed after it was applied \(checksum [0-9a-f]{64} in/);
        assert.match(err.message, /restore the file and put the change in a new migration$/);
      });

      test("refuse a database migrated by a newer tsflyte", async () => {
        const err = await failure(migrate(db, []));
        assert.ok(err instanceof MigrationError);
        assert.match(err.message, /has migration 0001_init.sql applied, which this tsflyte does not have/);
      });

      test("a failing migration leaves nothing behind", async () => {
        // Numbered after the real migrations, whatever their count.
        const next = loadMigrations().length + 1;
        const file = `${String(next).padStart(4, "0")}_broken.sql`;
        const broken = migration(next, file, "CREATE TABLE zz_half (a int);\nSELECT * FROM zz_missing;");
        const err = await failure(migrate(db, [...loadMigrations(), broken]));
        assert.ok(err instanceof MigrationError);
        assert.ok(
          err.message.startsWith(`migration ${file} failed: relation "zz_missing" does not exist`),
          err.message,
        );
        const [{ count }] = await db.query<{ count: number }>(
          "SELECT count(*) AS count FROM information_schema.tables WHERE table_name = 'zz_half'",
        );
        assert.equal(count, 0);
        assert.equal((await db.query("SELECT 1 FROM schema_migrations")).length, loadMigrations().length);
      });

      test("new migrations apply in order; one numbered below an applied one is refused", async () => {
        const base = loadMigrations();
        const third = migration(903, "0903_extra.sql", "CREATE TABLE zz_extra (a int);");
        const second = migration(902, "0902_late.sql", "CREATE TABLE zz_late (a int);");
        const result = await migrate(db, [...base, third]);
        assert.deepEqual(
          result.applied.map((m) => m.file),
          ["0903_extra.sql"],
        );
        const err = await failure(migrate(db, [...base, second, third]));
        assert.match(err.message, /^migration 0902_late.sql is older than 0903_extra.sql, which is already applied/);
        await db.exec("DROP TABLE zz_extra; DELETE FROM schema_migrations WHERE version = 903;");
        assert.deepEqual((await migrate(db)).applied, []);
      });

      test("concurrent migrators (admin replicas starting together): one applies, the others find it done", {
        skip: backend.url ? false : "PGlite has a single user",
      }, async () => {
        const schema = `concurrent_${randomBytes(4).toString("hex")}`;
        const url = new URL(backend.url!);
        url.searchParams.set("options", `-c search_path=${schema}`);
        await db.exec(`CREATE SCHEMA ${schema}`);
        const replicas = await Promise.all(Array.from({ length: 4 }, () => openPostgres(url.toString())));
        try {
          const results = await Promise.all(replicas.map((replica) => migrate(replica)));
          assert.equal(results.filter((r) => r.applied.length > 0).length, 1);
          assert.ok(results.every((r) => r.version === loadMigrations().at(-1)?.version));
          const [{ count }] = await db.query<{ count: number }>(
            `SELECT count(*) AS count FROM ${schema}.schema_migrations`,
          );
          assert.equal(count, loadMigrations().length);
        } finally {
          await Promise.all(replicas.map((replica) => replica.close()));
          await db.exec(`DROP SCHEMA ${schema} CASCADE`);
        }
      });
    });

    describe("transactions", () => {
      before(async () => {
        await db.exec("CREATE TABLE zz_items (name text PRIMARY KEY); CREATE TABLE zz_counter (n int NOT NULL);");
        await db.query("INSERT INTO zz_counter (n) VALUES (0)");
      });
      const names = async () =>
        (await db.query<{ name: string }>("SELECT name FROM zz_items ORDER BY 1")).map((r) => r.name);

      test("commit when fn resolves, with its result", async () => {
        const result = await db.transaction(async (tx) => {
          await tx.query("INSERT INTO zz_items (name) VALUES ($1)", ["kept"]);
          return (await tx.query<{ name: string }>("SELECT name FROM zz_items")).length;
        });
        assert.equal(result, 1);
        assert.deepEqual(await names(), ["kept"]);
      });

      test("roll back, DDL included, when fn throws, rethrowing its error", async () => {
        const boom = new Error("boom");
        const err = await failure(
          db.transaction(async (tx) => {
            await tx.query("INSERT INTO zz_items (name) VALUES ($1)", ["lost"]);
            await tx.exec("CREATE TABLE zz_rolled_back (a int)");
            throw boom;
          }),
        );
        assert.equal(err, boom);
        assert.deepEqual(await names(), ["kept"]);
        const [{ count }] = await db.query<{ count: number }>(
          "SELECT count(*) AS count FROM information_schema.tables WHERE table_name = 'zz_rolled_back'",
        );
        assert.equal(count, 0);
      });

      test("roll back when a statement failed even if fn caught its error", async () => {
        await failure(
          db.transaction(async (tx) => {
            await tx.query("INSERT INTO zz_items (name) VALUES ($1)", ["swallowed"]);
            await tx.query("INSERT INTO zz_items (name) VALUES ($1)", ["kept"]).catch(() => undefined);
          }),
        );
        assert.deepEqual(await names(), ["kept"]);
      });

      test("nested transactions are savepoints", async () => {
        await db.transaction(async (tx) => {
          await tx.query("INSERT INTO zz_items (name) VALUES ('outer')");
          await failure(
            tx.transaction(async (inner) => {
              await inner.query("INSERT INTO zz_items (name) VALUES ('inner')");
              throw new Error("inner fails");
            }),
          );
          await tx.transaction((inner) => inner.query("INSERT INTO zz_items (name) VALUES ('inner ok')"));
        });
        assert.deepEqual(await names(), ["inner ok", "kept", "outer"]);
      });

      test("the database handle refuses use inside its own transaction instead of hanging", async () => {
        await db.transaction(async () => {
          const err = await failure(db.query("SELECT 1"));
          assert.match(err.message, /use the `tx` handle passed to transaction\(\)/);
          await failure(db.transaction(async () => undefined));
        });
        // Outside it, and after it, the handle works again.
        assert.deepEqual(await db.query("SELECT 1 AS one"), [{ one: 1 }]);
      });

      test("a transaction handle is dead once its transaction ended", async () => {
        let leaked: Queryable | undefined;
        await db.transaction(async (tx) => {
          leaked = tx;
        });
        const err = await failure(leaked!.query("SELECT 1"));
        assert.match(err.message, /transaction handle used after its transaction ended/);
      });

      test("concurrent read-modify-write transactions lose no update", async () => {
        const increments = 8;
        await Promise.all(
          Array.from({ length: increments }, () =>
            db.transaction(
              async (tx) => {
                const [{ n }] = await tx.query<{ n: number }>("SELECT n FROM zz_counter");
                await tx.query("UPDATE zz_counter SET n = $1", [n + 1]);
              },
              { maxAttempts: 100 },
            ),
          ),
        );
        assert.deepEqual(await db.query("SELECT n FROM zz_counter"), [{ n: increments }]);
      });

      test("serializable is real: without retries a conflicting writer gets SQLSTATE 40001", {
        skip: db?.dialect === "pglite" || backend === pglite ? "PGlite runs transactions one at a time" : false,
      }, async () => {
        let arrived = 0;
        let release: () => void = () => undefined;
        const bothRead = new Promise<void>((resolve) => {
          release = resolve;
        });
        const writer = () =>
          db.transaction(
            async (tx) => {
              const [{ n }] = await tx.query<{ n: number }>("SELECT n FROM zz_counter");
              if (++arrived === 2) release();
              await bothRead;
              await tx.query("UPDATE zz_counter SET n = $1", [n + 1]);
            },
            { maxAttempts: 1 },
          );
        const outcomes = await Promise.allSettled([writer(), writer()]);
        const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
        assert.equal(rejected.length, 1);
        assert.equal(sqlState(rejected[0].reason), SqlState.serializationFailure);
      });
    });

    describe("one active launch plan version per name", () => {
      const key = ["flytesnacks", "development", "daily"];
      const versions = ["v1", "v2", "v3", "v4", "v5", "v6"];

      before(async () => {
        const [{ id }] = await db.query<{ id: number }>(
          `INSERT INTO workflows (project, domain, name, version, typed_interface, digest, closure)
           VALUES ('flytesnacks', 'development', 'wf', 'v1', $1, $1, $1) RETURNING id`,
          [BYTES],
        );
        for (const version of versions) {
          await db.query(
            `INSERT INTO launch_plans (project, domain, name, version, workflow_id, spec, closure, digest)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6)`,
            [...key, version, id, BYTES],
          );
        }
      });

      /** UpdateLaunchPlan(ACTIVE): deactivate whichever version is active, activate this one. */
      const activate = (version: string) =>
        db.transaction(
          async (tx) => {
            await tx.query(
              "UPDATE launch_plans SET state = 0 WHERE project = $1 AND domain = $2 AND name = $3 AND state = 1",
              key,
            );
            await tx.query(
              "UPDATE launch_plans SET state = 1 WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4",
              [...key, version],
            );
          },
          { maxAttempts: 100 },
        );
      const active = () =>
        db.query<{ version: string }>("SELECT version FROM launch_plans WHERE name = $1 AND state = 1", [key[2]]);

      test("concurrent activations leave exactly one active version", async () => {
        for (let round = 0; round < 3; round++) {
          await Promise.all(versions.map(activate));
          assert.equal((await active()).length, 1);
        }
      });

      test("the schema itself refuses a second active version", async () => {
        const [current] = await active();
        const other = versions.find((v) => v !== current.version);
        const err = await failure(
          db.query("UPDATE launch_plans SET state = 1 WHERE name = $1 AND version = $2", [key[2], other]),
        );
        assert.equal(sqlState(err), SqlState.uniqueViolation);
        assert.match(err.message, /launch_plans_one_active/);
      });
    });

    test("values come back with the same types on every backend", async () => {
      await db.exec(
        `CREATE TABLE zz_values (small int8, big int8, b bytea, ts timestamptz, j jsonb, texts text[],
           ints int8[], blobs bytea[], num numeric, nums numeric[], flag boolean, nothing text)`,
      );
      const when = new Date("2024-05-06T07:08:09.123Z");
      await db.query("INSERT INTO zz_values VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", [
        42,
        9007199254740993n,
        BYTES,
        when,
        { a: [1, "two"], b: null },
        ["x", "y'z", ""],
        ["1", "9007199254740993"],
        [BYTES],
        "1.10",
        ["2.50"],
        true,
        null,
      ]);
      const [row] = await db.query<Record<string, unknown>>("SELECT * FROM zz_values");
      assert.deepEqual(row, {
        small: 42,
        big: 9007199254740993n,
        b: BYTES,
        ts: when,
        j: { a: [1, "two"], b: null },
        texts: ["x", "y'z", ""],
        ints: [1, 9007199254740993n],
        blobs: [BYTES],
        num: "1.10",
        nums: ["2.50"],
        flag: true,
        nothing: null,
      });
      assert.equal(Object.getPrototypeOf(row.b), Uint8Array.prototype);
      const [{ count }] = await db.query<{ count: unknown }>("SELECT count(*) AS count FROM zz_values");
      assert.equal(count, 1);
    });

    test("bytea parameters and results keep every byte, empty and large values included", async () => {
      await db.exec("CREATE TABLE zz_bytes (id int PRIMARY KEY, b bytea NOT NULL)");
      const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
      const large = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256);
      const values = [new Uint8Array(0), everyByte, large];
      for (const [id, b] of values.entries()) await db.query("INSERT INTO zz_bytes VALUES ($1, $2)", [id, b]);
      const rows = await db.query<{ id: number; b: Uint8Array; n: number }>(
        "SELECT id, b, length(b) AS n FROM zz_bytes ORDER BY id",
      );
      assert.deepEqual(
        rows.map((row) => row.n),
        values.map((b) => b.length),
      );
      for (const row of rows) assert.deepEqual(row.b, values[row.id]);
      const [match] = await db.query<{ id: number }>("SELECT id FROM zz_bytes WHERE b = $1", [everyByte]);
      assert.equal(match.id, 1);
    });

    describe("list queries on real rows", () => {
      interface Seed {
        name: string;
        phase: string;
        minutes: number;
        seconds: number;
        state: number;
        lp?: string;
      }
      const seeds: Seed[] = [
        { name: "e0", phase: "RUNNING", minutes: 0, seconds: 5, state: 0, lp: "lp_a" },
        { name: "e1", phase: "SUCCEEDED", minutes: 10, seconds: 65, state: 0, lp: "lp_a" },
        { name: "e2", phase: "FAILED", minutes: 20, seconds: 30, state: 0, lp: "lp_b" },
        { name: "e3", phase: "SUCCEEDED", minutes: 30, seconds: 120, state: 1 },
        { name: "ex_4", phase: "QUEUED", minutes: 40, seconds: 1, state: 0, lp: "lp_b" },
        { name: "e%5", phase: "ABORTED", minutes: 50, seconds: 90, state: 0 },
        { name: "e6", phase: "RUNNING", minutes: 60, seconds: 0, state: 0, lp: "lp_a" },
      ];
      const base = Date.parse("2024-03-01T00:00:00Z");
      const FROM =
        "SELECT executions.name FROM executions" +
        " LEFT JOIN launch_plans ON launch_plans.id = executions.launch_plan_id" +
        " LEFT JOIN workflows ON workflows.id = executions.workflow_id" +
        " LEFT JOIN tasks ON tasks.id = executions.task_id";
      const scope = (project: string) => ({ sql: "executions.project = $1", params: [project] });

      before(async () => {
        const [wf] = await db.query<{ id: number }>("SELECT id FROM workflows WHERE name = 'wf'");
        const lpIds = new Map<string, number>();
        for (const lp of ["lp_a", "lp_b"]) {
          const [{ id }] = await db.query<{ id: number }>(
            `INSERT INTO launch_plans (project, domain, name, version, workflow_id, spec, closure, digest)
             VALUES ('list', 'development', $1, 'v1', $2, $3, $3, $3) RETURNING id`,
            [lp, wf.id, BYTES],
          );
          lpIds.set(lp, id);
        }
        await db.transaction(async (tx) => {
          for (const seed of seeds) {
            await tx.query(
              `INSERT INTO executions (project, domain, name, launch_plan_id, workflow_id, launch_entity, phase,
                 state, spec, closure, created_at, duration_ns)
               VALUES ('list', 'development', $1, $2, $3, 'launch_plan', $4, $5, $6, $6, $7, $8)`,
              [
                seed.name,
                seed.lp ? lpIds.get(seed.lp) : null,
                wf.id,
                seed.phase,
                seed.state,
                BYTES,
                new Date(base + seed.minutes * 60_000),
                seed.seconds * 1e9,
              ],
            );
          }
        });
      });

      const list = async (filters: string, extra: Partial<ListQuery> = {}) => {
        const query = listQuery({
          from: FROM,
          where: scope("list"),
          filters: parseFilters(filters),
          columns: EXECUTION_COLUMNS,
          order: { defaultSort: { key: "created_at", direction: 1 }, tiebreak: "executions.id" },
          page: { limit: 100, offset: 0 },
          ...extra,
        });
        return (await db.query<{ name: string }>(query.sql, query.params)).map((r) => r.name);
      };
      const expect = (pick: (s: Seed) => boolean) => seeds.filter(pick).map((s) => s.name);

      test("filters select exactly the rows they describe", async () => {
        const cases: [string, (s: Seed) => boolean][] = [
          ["", () => true],
          ["value_in(phase,RUNNING;SUCCEEDED)", (s) => s.phase === "RUNNING" || s.phase === "SUCCEEDED"],
          ["value_not_in(phase,RUNNING;SUCCEEDED)", (s) => s.phase !== "RUNNING" && s.phase !== "SUCCEEDED"],
          ["eq(phase,FAILED)", (s) => s.phase === "FAILED"],
          ["ne(execution.phase,FAILED)", (s) => s.phase !== "FAILED"],
          ["gte(created_at,2024-03-01T00:30:00Z)", (s) => s.minutes >= 30],
          ["lt(execution_created_at,2024-03-01T01:30:00+01:00)", (s) => s.minutes < 30],
          ["gt(duration,60)+lte(duration,2m)", (s) => s.seconds > 60 && s.seconds <= 120],
          ["contains(name,_)", (s) => s.name.includes("_")],
          ["contains(name,%)", (s) => s.name.includes("%")],
          ["not_like(name,e_)", (s) => !/^e.$/u.test(s.name)],
          ["eq(launch_plan.name,lp_a)", (s) => s.lp === "lp_a"],
          ["eq(launch_plan.name,lp_b)+eq(phase,QUEUED)", (s) => s.lp === "lp_b" && s.phase === "QUEUED"],
          ["eq(workflow.name,wf)+eq(state,ARCHIVED)", (s) => s.state === 1],
          ["eq(state,0)", (s) => s.state === 0],
          ["eq(name,e3)+eq(name,e2)", () => false],
        ];
        for (const [filters, pick] of cases) assert.deepEqual(await list(filters), expect(pick), filters);
      });

      test("sorting by an allow-listed key, both directions", async () => {
        const byDuration = [...seeds].sort((a, b) => a.seconds - b.seconds).map((s) => s.name);
        assert.deepEqual(await list("", { sort: { key: "duration", direction: 1 } }), byDuration);
        assert.deepEqual(await list("", { sort: { key: "duration", direction: 0 } }), [...byDuration].reverse());
      });

      test("pages follow one another by token until a short page", async () => {
        const pages: string[][] = [];
        const tokens: string[] = [];
        let token = "";
        do {
          const page = parsePage(3, token);
          const names = await list("", { page });
          pages.push(names);
          token = nextPageToken(page, names.length);
          tokens.push(token);
        } while (token !== "");
        assert.deepEqual(pages, [["e0", "e1", "e2"], ["e3", "ex_4", "e%5"], ["e6"]]);
        assert.deepEqual(tokens, ["3", "6", ""]);
      });

      test("an exactly full last page yields a token to an empty page, as flyteadmin", async () => {
        const first = parsePage(7, "");
        const names = await list("", { page: first });
        assert.equal(names.length, 7);
        const token = nextPageToken(first, names.length);
        assert.equal(token, "7");
        const next = parsePage(7, token);
        assert.deepEqual(await list("", { page: next }), []);
        assert.equal(nextPageToken(next, 0), "");
      });

      test("the list indexes serve the list queries", async () => {
        const plans: [string, unknown[], string][] = [
          [
            "SELECT id FROM executions WHERE project = $1 AND domain = $2 ORDER BY created_at DESC LIMIT 10",
            ["bulk", "development"],
            "executions_by_scope",
          ],
          [
            "SELECT id FROM executions WHERE project = $1 AND domain = $2 AND phase = $3 ORDER BY created_at LIMIT 5",
            ["bulk", "development", "RUNNING"],
            // Which one wins depends on how many executions are unfinished.
            "executions_by_phase|executions_unfinished",
          ],
          [
            "SELECT count(*) FROM executions WHERE launch_plan_id = ANY($1) AND phase IN ('QUEUED', 'RUNNING')",
            [[1, 2]],
            "executions_by_launch_plan",
          ],
          [
            "SELECT id FROM launch_plans WHERE project = $1 AND domain = $2 AND name = $3 AND state = 1",
            ["list", "development", "lp_a"],
            "launch_plans_one_active",
          ],
          [
            "SELECT id FROM launch_plans WHERE project = $1 AND domain = $2 ORDER BY created_at DESC LIMIT 10",
            ["list", "development"],
            "launch_plans_by_scope",
          ],
          [
            "SELECT id FROM node_executions WHERE execution_id = (SELECT max(id) FROM executions) AND parent_id = (SELECT max(id) FROM node_executions WHERE parent_id IS NULL) ORDER BY created_at LIMIT 10",
            [],
            "node_executions_by_parent",
          ],
          [
            "SELECT id FROM tasks WHERE project = $1 AND domain = $2 AND name = $3 ORDER BY created_at DESC LIMIT 10",
            ["p", "d", "n"],
            "tasks_by_name",
          ],
          [
            "SELECT id FROM outbox WHERE delivered_at IS NULL AND topic = $1 AND available_at <= now() ORDER BY available_at, id LIMIT 10",
            ["t"],
            "outbox_pending",
          ],
        ];
        // Realistic volumes and statistics, rolled back afterwards; with seq scans off the planner
        // shows which index it would use.
        const rollback = new Error("rollback");
        const explained = await failure(
          db.transaction(async (tx) => {
            await tx.exec(`
              INSERT INTO executions (project, domain, name, launch_entity, phase, spec, closure, created_at)
                SELECT 'bulk', 'development', 'b' || i, 'launch_plan', (ARRAY['RUNNING', 'FAILED', 'SUCCEEDED'])[1 + i % 3],
                       '\\x00', '\\x00', now() - i * interval '1 minute'
                FROM generate_series(1, 500) AS i;
              INSERT INTO node_executions (execution_id, node_id, phase, closure, created_at, updated_at, occurred_at)
                SELECT e.id, 'n' || j, 'SUCCEEDED', '\\x00', now(), now(), now()
                FROM executions AS e, generate_series(1, 20) AS j WHERE e.project = 'bulk';
              -- One big dynamic node: 2000 children under the last top-level node.
              INSERT INTO node_executions (execution_id, node_id, parent_id, phase, closure, created_at, updated_at, occurred_at)
                SELECT parent.execution_id, 'c' || j, parent.id, 'SUCCEEDED', '\\x00', now() + j * interval '1 ms', now(), now()
                FROM (SELECT id, execution_id FROM node_executions ORDER BY id DESC LIMIT 1) AS parent,
                     generate_series(1, 2000) AS j;
              ANALYZE;
              SET LOCAL enable_seqscan = off;`);
            for (const [sql, params, index] of plans) {
              const plan = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
              const text = plan.map((line) => line["QUERY PLAN"]).join("\n");
              assert.match(
                text,
                new RegExp(`(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) (${index}) `),
                `${sql}\n${text}`,
              );
              // Served in order by the index: nothing to sort, nothing scanned whole.
              assert.doesNotMatch(text, /Sort|Seq Scan/, `${sql}\n${text}`);
            }
            throw rollback;
          }),
        );
        assert.equal(explained, rollback);
      });

      test("every allow-listed field is a real, filterable and sortable column", async () => {
        const named =
          "FROM (SELECT DISTINCT project, domain, name FROM tasks) AS entities LEFT JOIN named_entity_metadata" +
          " ON named_entity_metadata.resource_type = 1 AND named_entity_metadata.project = entities.project" +
          " AND named_entity_metadata.domain = entities.domain AND named_entity_metadata.name = entities.name";
        const maps: [ColumnMap, string][] = [
          [TASK_COLUMNS, "FROM tasks"],
          [WORKFLOW_COLUMNS, "FROM workflows"],
          [LAUNCH_PLAN_COLUMNS, "FROM launch_plans JOIN workflows ON workflows.id = launch_plans.workflow_id"],
          [EXECUTION_COLUMNS, FROM.replace("SELECT executions.name ", "")],
          [NODE_EXECUTION_COLUMNS, "FROM node_executions"],
          [TASK_EXECUTION_COLUMNS, "FROM task_executions"],
          [PROJECT_COLUMNS, "FROM projects"],
          [NAMED_ENTITY_COLUMNS, named],
          [SIGNAL_COLUMNS, "FROM signals"],
        ];
        const sample = { text: "x", int: "1", bool: "true", timestamp: "2024-01-01T00:00:00Z", duration: "1s" };
        for (const [columns, from] of maps) {
          for (const [field, column] of Object.entries(columns)) {
            const value = column.type === "enum" ? Object.keys(column.values)[0] : sample[column.type];
            const query = listQuery({
              from: `SELECT 1 ${from}`,
              filters: parseFilters(`eq(${field},${value})+value_in(${field},${value};${value})`),
              columns,
              sort: { key: field },
              page: { limit: 1, offset: 0 },
            });
            await db.query(query.sql, query.params).catch((err: Error) => assert.fail(`${field}: ${err.message}`));
          }
        }
      });

      describe("injection corpus", () => {
        const payloads = [
          "'",
          "''",
          "\\",
          "\\'",
          "abc\\",
          "' OR '1'='1",
          "' OR 1=1 --",
          "x') or 1=1 --",
          ") or 1=1 --",
          "e0) or 1=1 --",
          "e0'); DROP TABLE executions; --",
          "1; DROP TABLE executions",
          "; SELECT pg_sleep(5)",
          "/* comment */",
          "e0/*",
          "-- comment",
          "e0 --",
          "%",
          "_",
          "%%",
          "e%",
          "e_",
          "\\%",
          "$1",
          "$2::text",
          "$$ x $$",
          "$tag$ x $tag$",
          "E'\\x27'",
          "'||(SELECT version())||'",
          "(SELECT 1)",
          "NULL",
          "TRUE",
          "1=1",
          '"; DROP',
          "`id`",
          "e0)+eq(phase,RUNNING",
          "e0)+value_in(name,e1;e2",
          "e1;e2",
          "e1;e2;' OR 1=1",
          "a,b",
          "x(y)",
          "\n",
          "\r\n",
          "\t",
          " ",
          "\u0000",
          "a\u0000' OR 1=1 --",
          "\ud800",
          "\udfff'",
          "😀",
          "Ωmega naïve",
          "\u202e' OR 1=1 --",
          "\uff07 OR 1=1 --",
          "ё".repeat(1000),
          "x".repeat(60_000),
        ];
        // Storable as a name: text PostgreSQL accepts, short enough for the unique index on names.
        const storable = (p: string) => !p.includes("\0") && !/\p{Cs}/u.test(p) && Buffer.byteLength(p) < 2000;
        const names = [...new Set(["alpha", "beta", "O'Brien", "e0", "e1", "e2", ...payloads.filter(storable)])];
        // Only name and project: anything smuggled in for another field must be refused.
        const columns: ColumnMap = { name: EXECUTION_COLUMNS.name, project: EXECUTION_COLUMNS.project };

        /** SQL LIKE with backslash escapes, over code points as PostgreSQL's UTF-8 LIKE. */
        function like(text: string, pattern: string): boolean {
          // A wildcard is a bare "%" or "_"; a literal is a one-character array.
          const tokens: (string | [string])[] = [];
          const chars = [...pattern];
          for (let i = 0; i < chars.length; i++) {
            const c = chars[i] === "\\" ? chars[++i] : chars[i];
            tokens.push(chars[i - 1] !== "\\" && (c === "%" || c === "_") ? c : [c]);
          }
          const input = [...text];
          // Classic wildcard matching: remember the last % and retry from one character further.
          let t = 0;
          let p = 0;
          let star = -1;
          let resume = 0;
          while (t < input.length) {
            const token = tokens[p];
            if (token === "_" || (Array.isArray(token) && token[0] === input[t])) {
              t++;
              p++;
            } else if (token === "%") {
              star = p++;
              resume = t;
            } else if (star >= 0) {
              p = star + 1;
              t = ++resume;
            } else {
              return false;
            }
          }
          while (tokens[p] === "%") p++;
          return p === tokens.length;
        }

        /** What the filters select, computed without SQL. */
        function evaluate(filters: Filter[]): string[] {
          return names.filter((name) =>
            filters.every(({ fn, field, values }) => {
              const actual = field === "project" ? "inj" : name;
              const [value] = values;
              switch (fn) {
                case "eq":
                  return actual === value;
                case "ne":
                  return actual !== value;
                case "contains":
                  return actual.includes(value);
                case "not_like":
                  return !like(actual, value);
                case "value_in":
                  return values.includes(actual);
                case "value_not_in":
                  return !values.includes(actual);
                default:
                  return assert.fail(`${fn} on text`);
              }
            }),
          );
        }

        let rowsBefore = 0;
        let tablesBefore = 0;
        const countRows = async () =>
          (await db.query<{ c: number }>("SELECT count(*) AS c FROM executions WHERE project = 'inj'"))[0].c;
        const countTables = async () =>
          (
            await db.query<{ c: number }>(
              "SELECT count(*) AS c FROM information_schema.tables WHERE table_schema = current_schema()",
            )
          )[0].c;

        before(async () => {
          await db.transaction(async (tx) => {
            for (const name of names) {
              await tx.query(
                `INSERT INTO executions (project, domain, name, launch_entity, spec, closure)
                 VALUES ('inj', 'development', $1, 'launch_plan', $2, $2)`,
                [name, BYTES],
              );
            }
          });
          rowsBefore = await countRows();
          tablesBefore = await countTables();
          assert.equal(rowsBefore, names.length);
        });

        /** Runs the filter text: a clean refusal, or exactly the rows evaluate() predicts. */
        async function run(text: string): Promise<"refused" | number> {
          let query: { sql: string; params: unknown[] };
          let filters: Filter[];
          try {
            filters = parseFilters(text);
            query = listQuery({
              from: "SELECT executions.name FROM executions",
              where: scope("inj"),
              filters,
              columns,
              order: { tiebreak: "executions.name" },
              page: { limit: 10_000, offset: 0 },
            });
          } catch (err) {
            if (err instanceof InvalidArgumentError) return "refused";
            throw err;
          }
          const rows = await db.query<{ name: string }>(query.sql, query.params).catch((err: Error) => {
            throw new Error(`${JSON.stringify(text.slice(0, 80))} reached the database and failed: ${err.message}`);
          });
          const got = rows.map((r) => r.name).sort();
          assert.deepEqual(got, evaluate(filters).sort(), JSON.stringify(text.slice(0, 80)));
          return got.length;
        }

        test("as values of every function: parameters, never SQL", async () => {
          const outcomes = { refused: 0, matched: 0 };
          for (const payload of payloads) {
            for (const fn of ["eq", "ne", "contains", "not_like", "value_in", "value_not_in"]) {
              const outcome = await run(`${fn}(name,${payload})`);
              if (outcome === "refused") outcomes.refused++;
              else outcomes.matched++;
            }
            // A payload that is a stored name is found by equality, and only that row.
            if (storable(payload)) {
              const query = listQuery({
                from: "SELECT executions.name FROM executions",
                where: scope("inj"),
                filters: [makeFilter("eq", "name", payload)],
                columns,
                page: { limit: 10, offset: 0 },
              });
              assert.deepEqual(await db.query(query.sql, query.params), [{ name: payload }]);
            }
          }
          assert.ok(outcomes.matched > outcomes.refused, JSON.stringify(outcomes));
        });

        test("as whole filter strings", async () => {
          for (const payload of payloads) {
            await run(payload);
            await run(`eq(name,e0)+${payload}`);
            await run(`${payload}+eq(name,e0)`);
          }
          assert.equal(await run("eq(name,e0)+eq(project,inj)"), 1);
          // The third value is itself a stored name, and matches only itself.
          assert.equal(await run("value_in(name,e1;e2;' OR 1=1 --)"), 3);
        });

        test("as field names, function names, sort keys and page tokens: refused", async () => {
          for (const payload of payloads) {
            assert.equal(await run(`eq(${payload},e0)`), "refused", JSON.stringify(payload.slice(0, 40)));
            assert.equal(await run(`eq(name.${payload},e0)`), "refused");
            if (payload !== "") assert.equal(await run(`${payload}(name,e0)`), "refused");
            assert.throws(() => orderBy({ key: payload }, columns), InvalidArgumentError);
            assert.throws(
              () => orderBy({ key: "name", direction: payload as "ASCENDING" }, columns),
              InvalidArgumentError,
            );
            assert.throws(() => parsePage(10, payload), InvalidArgumentError);
          }
        });

        test("nothing was changed by any of it", async () => {
          assert.equal(await countRows(), rowsBefore);
          assert.equal(await countTables(), tablesBefore);
          assert.equal((await db.query("SELECT 1 FROM executions WHERE project = 'list'")).length, seeds.length);
        });
      });
    });
  });
}
