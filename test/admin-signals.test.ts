// SignalService through a real admin server and a Connect client, on embedded PGlite and on the
// PostgreSQL server named by TSFLYTE_TEST_POSTGRES (a fresh database per run; skipped when no
// server answers). Executions are seeded by inserting rows directly.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { signalService } from "../src/admin/signals/index.js";
import { type Database, migrate } from "../src/db/index.js";
import { type Literal, LiteralSchema, type PrimitiveSchema } from "../src/idl/gen/flyteidl/core/literals_pb.js";
import { type LiteralType, LiteralTypeSchema, SimpleType } from "../src/idl/gen/flyteidl/core/types_pb.js";
import { SignalService } from "../src/idl/gen/flyteidl/service/signal_pb.js";
import { pgliteBackend, postgresBackend, startTestAdmin, type TestAdmin } from "./support/backends.js";

const P = "flytesnacks";
const D = "development";

const simple = (value: SimpleType): LiteralType => create(LiteralTypeSchema, { type: { case: "simple", value } });
const BOOL = simple(SimpleType.BOOLEAN);
const INT = simple(SimpleType.INTEGER);
const primitive = (value: MessageInitShape<typeof PrimitiveSchema>["value"]): Literal =>
  create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value } } } } });
const bool = (value: boolean) => primitive({ case: "boolean", value });
const int = (value: number) => primitive({ case: "integer", value: BigInt(value) });

const execution = (name = "exec1") => ({ project: P, domain: D, name });
const signalId = (id: string, name = "exec1") => ({ signalId: id, executionId: execution(name) });

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (err: unknown) => ConnectError.from(err),
  );
}

for (const backend of [pgliteBackend(), await postgresBackend("tsflyte_signal_test")]) {
  describe(`signal service on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let admin: TestAdmin<typeof SignalService>;
    let client: Client<typeof SignalService>;

    before(async () => {
      db = await backend.open();
      await migrate(db);
      await db.query("INSERT INTO projects (identifier, name) VALUES ($1, $1)", [P]);
      for (const name of ["exec1", "exec2"]) {
        await db.query(
          `INSERT INTO executions (project, domain, name, launch_entity, spec, closure)
           VALUES ($1, $2, $3, 'launch_plan', '\\x', '\\x')`,
          [P, D, name],
        );
      }
      admin = await startTestAdmin(db, SignalService, signalService, {
        tmpPrefix: "tsflyte-signal-",
        domains: [D],
        defaultProject: P,
      });
      client = admin.client;
    });

    after(async () => {
      await admin?.close();
      await db?.close();
      await backend.cleanup();
    });

    test("GetOrCreateSignal creates a signal without a value once, then returns it", async () => {
      const first = await client.getOrCreateSignal({ id: signalId("approve"), type: BOOL });
      assert.equal(first.id?.signalId, "approve");
      assert.equal(first.id?.executionId?.name, "exec1");
      assert.deepEqual(first.type, BOOL);
      assert.equal(first.value, undefined);
      const again = await client.getOrCreateSignal({ id: signalId("approve"), type: BOOL });
      assert.deepEqual(again, first);
      const [{ count }] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM signals");
      assert.equal(count, 1);

      const retyped = await failure(client.getOrCreateSignal({ id: signalId("approve"), type: INT }));
      assert.equal(retyped.code, Code.AlreadyExists);
      assert.match(retyped.rawMessage, /already exists with type \[boolean\], not \[int\]/);
    });

    test("GetOrCreateSignal checks its request", async () => {
      const cases: [() => Promise<unknown>, Code, string][] = [
        [() => client.getOrCreateSignal({ type: BOOL }), Code.InvalidArgument, "missing id"],
        [
          () => client.getOrCreateSignal({ id: { signalId: "s" }, type: BOOL }),
          Code.InvalidArgument,
          "missing execution_id",
        ],
        [() => client.getOrCreateSignal({ id: signalId(""), type: BOOL }), Code.InvalidArgument, "missing signal_id"],
        [() => client.getOrCreateSignal({ id: signalId("s") }), Code.InvalidArgument, "missing type"],
        [
          () => client.getOrCreateSignal({ id: { signalId: "s", executionId: { project: P, name: "x" } }, type: BOOL }),
          Code.InvalidArgument,
          "missing domain",
        ],
        [
          () => client.getOrCreateSignal({ id: signalId("s", "nope"), type: BOOL }),
          Code.NotFound,
          `execution ${P}/${D}/nope not found`,
        ],
      ];
      for (const [call, code, message] of cases) {
        const err = await failure(call());
        assert.equal(err.code, code, message);
        assert.equal(err.rawMessage, message);
      }
    });

    test("SetSignal type-checks the value and may overwrite it", async () => {
      await client.getOrCreateSignal({ id: signalId("count"), type: INT });
      const mistyped = await failure(client.setSignal({ id: signalId("count"), value: bool(true) }));
      assert.equal(mistyped.code, Code.InvalidArgument);
      assert.equal(
        mistyped.rawMessage,
        "requested signal value of type [boolean] is not castable to existing signal type [int]",
      );
      await client.setSignal({ id: signalId("count"), value: int(1) });
      assert.deepEqual((await client.getOrCreateSignal({ id: signalId("count"), type: INT })).value, int(1));
      await client.setSignal({ id: signalId("count"), value: int(2) });
      assert.deepEqual((await client.getOrCreateSignal({ id: signalId("count"), type: INT })).value, int(2));

      const unknown = await failure(client.setSignal({ id: signalId("nope"), value: int(1) }));
      assert.equal(unknown.code, Code.InvalidArgument);
      assert.equal(
        unknown.rawMessage,
        `failed to validate that signal [{{${P} ${D} exec1} nope}] exists, err: [signal does not exist]`,
      );
      const noValue = await failure(client.setSignal({ id: signalId("count") }));
      assert.equal(noValue.rawMessage, "missing value");
      const untyped = await failure(client.setSignal({ id: signalId("count"), value: create(LiteralSchema) }));
      assert.match(untyped.rawMessage, /^Failed to validate literal type/);
    });

    test("ListSignals lists one execution's signals with filters and pages", async () => {
      for (const id of ["a", "b", "c"]) await client.getOrCreateSignal({ id: signalId(id, "exec2"), type: BOOL });
      const first = await client.listSignals({ workflowExecutionId: execution("exec2"), limit: 2 });
      assert.deepEqual(
        first.signals.map((s) => s.id?.signalId),
        ["a", "b"],
      );
      assert.equal(first.token, "2");
      const second = await client.listSignals({
        workflowExecutionId: execution("exec2"),
        limit: 2,
        token: first.token,
      });
      assert.deepEqual(
        second.signals.map((s) => s.id?.signalId),
        ["c"],
      );
      assert.equal(second.token, "");
      const filtered = await client.listSignals({
        workflowExecutionId: execution("exec2"),
        limit: 10,
        filters: "eq(signal_id,b)",
      });
      assert.deepEqual(
        filtered.signals.map((s) => s.id?.signalId),
        ["b"],
      );
      const sorted = await client.listSignals({
        workflowExecutionId: execution("exec2"),
        limit: 10,
        sortBy: { key: "signal_id", direction: 0 },
      });
      assert.deepEqual(
        sorted.signals.map((s) => s.id?.signalId),
        ["c", "b", "a"],
      );

      const noLimit = await failure(client.listSignals({ workflowExecutionId: execution("exec2") }));
      assert.equal(noLimit.code, Code.InvalidArgument);
      const noExecution = await failure(client.listSignals({ limit: 1 }));
      assert.equal(noExecution.rawMessage, "missing execution_id");
      const badFilter = await failure(
        client.listSignals({ workflowExecutionId: execution("exec2"), limit: 1, filters: "eq(value,1)" }),
      );
      assert.equal(badFilter.code, Code.InvalidArgument);
    });
  });
}
