// compilePackage on real registration packages (fixtures/flyte-1.16, flytectl v1.16.5 test data,
// see fixtures/NOTICE): every workflow of the register fixtures compiles, and the compile fixtures
// succeed or fail as flytectl's cmd/compile/compile_test.go says (TestCompilePackage).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { extract } from "tar-stream";
import { readArchive } from "../src/archive/index.js";
import { compilePackage, formatCompileErrors } from "../src/compiler/index.js";
import {
  IdentifierSchema,
  type LaunchPlan,
  LaunchPlanSchema,
  NodeSchema,
  ResourceType,
  type TaskSpec,
  TaskSpecSchema,
  type WorkflowSpec,
  WorkflowSpecSchema,
} from "../src/idl/index.js";

const root = fileURLToPath(new URL("fixtures/flyte-1.16/", import.meta.url));

interface Member {
  path: string;
  kind: number;
  data: Uint8Array;
}

interface Entities {
  tasks: TaskSpec[];
  workflows: WorkflowSpec[];
  launchPlans: LaunchPlan[];
}

/** Decodes the specs like flytectl: by the kind in the file name; a spec that does not decode throws. */
function decode(members: Member[]): Entities {
  const entities: Entities = { tasks: [], workflows: [], launchPlans: [] };
  for (const m of members) {
    if (m.kind === 1) entities.tasks.push(fromBinary(TaskSpecSchema, m.data));
    else if (m.kind === 2) entities.workflows.push(fromBinary(WorkflowSpecSchema, m.data));
    else entities.launchPlans.push(fromBinary(LaunchPlanSchema, m.data));
  }
  return entities;
}

/** The specs of an archive, as flytectl reads them. */
async function specs(file: string): Promise<Member[]> {
  return (await readArchive(readFileSync(join(root, file)), file)).specs;
}

/**
 * Every `*_<1|2|3>.pb` member of an archive, read directly: for archives readArchive refuses (as
 * flytectl v1.16.5 does) for members that are not specs, such as macOS Finder files (`.DS_Store`,
 * `._*`, skipped here) or specs named without the `<idx>_` prefix.
 */
async function rawSpecs(file: string): Promise<Member[]> {
  const bytes = readFileSync(join(root, file));
  const tar = extract();
  tar.end(file.endsWith(".tar") ? bytes : gunzipSync(bytes));
  const members: Member[] = [];
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const base = entry.header.name.split("/").pop() ?? "";
    const kind = /_([123])\.pb$/.exec(base)?.[1];
    if (entry.header.type === "file" && kind !== undefined && !base.startsWith("._")) {
      members.push({ path: entry.header.name, kind: Number(kind), data: Buffer.concat(chunks) });
    }
  }
  return members.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function failures(results: ReturnType<typeof compilePackage>): string {
  return results
    .filter((r) => r.errors.length > 0)
    .map((r) => `${r.kind} ${r.name}:\n${formatCompileErrors(r.errors)}`)
    .join("\n");
}

describe("register fixtures: every workflow compiles", () => {
  const archives = readdirSync(join(root, "register")).filter((f) => /\.(tgz|tar)$/.test(f));
  const notArchives = new Set(["invalid.tgz", "invalid.tar"]);
  // Its code bundle is misnamed (.tagz.gz), so readArchive refuses it; its specs still compile.
  const finderFiles = new Set(["invalid-fast.tgz"]);
  for (const name of archives) {
    const file = `register/${name}`;
    if (notArchives.has(name)) {
      test(`${name} is not an archive (flytectl's error-path fixture)`, async () => {
        await assert.rejects(specs(file));
      });
      continue;
    }
    test(`${name}`, async () => {
      const members = finderFiles.has(name) ? await rawSpecs(file) : await specs(file);
      const entities = decode(members);
      assert.ok(entities.workflows.length > 0);
      const results = compilePackage(entities);
      assert.equal(failures(results), "");
      const names = new Set(entities.workflows.map((w) => w.template?.id?.name));
      assert.deepEqual(
        results.filter((r) => r.kind === "workflow").map((r) => r.name),
        [...names],
      );
      for (const r of results) assert.ok(r.closure?.primary?.connections, `${r.name} has a compiled closure`);
    });
  }
});

describe("flytectl compile fixtures (cmd/compile/compile_test.go TestCompilePackage)", () => {
  test("valid-package.tgz compiles (two tasks, one workflow)", async () => {
    const results = compilePackage(decode(await specs("compile/valid-package.tgz")));
    assert.equal(failures(results), "");
    assert.deepEqual(
      results.map((r) => r.name),
      ["example.example.wf"],
    );
  });

  test("invalid.tgz: not a gzip archive", async () => {
    await assert.rejects(specs("compile/invalid.tgz"), /gzip|not a tar/);
  });

  test("bad-workflow-package.tgz: types do not match", async () => {
    const results = compilePackage(decode(await specs("compile/bad-workflow-package.tgz")));
    const failed = results.filter((r) => r.errors.length > 0);
    assert.deepEqual(
      failed.map((r) => r.name),
      ["example.example.wf3"],
    );
    assert.deepEqual(failed[0].errors, [
      {
        code: "MismatchingTypes",
        nodeId: "n0",
        message:
          "The output variable 'n' has type [string], but it's assigned to the input variable 'generate_normal_df.n' which has type [int].",
      },
      { code: "ParameterNotBound", nodeId: "n0", message: "Parameter not bound [n]." },
    ]);
  });

  for (const name of ["invalidtask.tgz", "invalidlaunchplan.tgz", "invalidworkflow.tgz"]) {
    test(`${name}: its spec is not a valid protobuf`, async () => {
      // readArchive already refuses the member's name (no <idx>_ prefix); its content does not decode either.
      await assert.rejects(specs(`compile/${name}`), /is neither a <idx>_<name>_<1\|2\|3>\.pb spec/);
      const members = await rawSpecs(`compile/${name}`);
      assert.equal(members.length, 1);
      assert.throws(() => decode(members), /illegal tag/);
    });
  }

  test("launchplan-in-wf.tgz: a workflow calling another workflow's launch plans compiles", async () => {
    const results = compilePackage(decode(await specs("compile/launchplan-in-wf.tgz")));
    assert.equal(failures(results), "");
    assert.deepEqual(results.map((r) => r.name).sort(), ["workflows.wf.inner_workflow", "workflows.wf.outer_workflow"]);
  });
});

describe("compilePackage", () => {
  test("leaves the given entities unchanged", async () => {
    const entities = decode(await specs("register/flytesnacks-core.tgz"));
    const before = entities.workflows.map((w) => toBinary(WorkflowSpecSchema, w));
    const tasksBefore = entities.tasks.map((t) => toBinary(TaskSpecSchema, t));
    compilePackage(entities);
    assert.deepEqual(
      entities.workflows.map((w) => toBinary(WorkflowSpecSchema, w)),
      before,
    );
    assert.deepEqual(
      entities.tasks.map((t) => toBinary(TaskSpecSchema, t)),
      tasksBefore,
    );
  });

  test("a launch plan's required inputs must be bound by the calling node, as flyteadmin expects", async () => {
    const entities = decode(await specs("compile/launchplan-in-wf.tgz"));
    // outer_workflow calls the name_override launch plan (num has a default 42) and binds num; drop the binding and
    // point it at the launch plan without default (num required).
    const outer = entities.workflows.find((w) => w.template?.id?.name === "workflows.wf.outer_workflow")!;
    const node = outer.template!.nodes[0];
    node.inputs = [];
    assert.equal(failures(compilePackage(entities)), "");
    const target = node.target.case === "workflowNode" ? node.target.value : undefined;
    target!.reference = {
      case: "launchplanRef",
      value: create(IdentifierSchema, { resourceType: ResourceType.LAUNCH_PLAN, name: "workflows.wf.inner_workflow" }),
    };
    const results = compilePackage(entities);
    const failed = results.filter((r) => r.errors.length > 0);
    assert.deepEqual(
      failed.map((r) => r.name),
      ["workflows.wf.outer_workflow"],
    );
    assert.deepEqual(failed[0].errors, [
      { code: "ParameterNotBound", nodeId: "n0", message: "Parameter not bound [num]." },
    ]);
  });

  test("a task that does not compile gets a result of its own", async () => {
    const entities = decode(await specs("compile/valid-package.tgz"));
    const container = entities.tasks[0].template!.target;
    assert.equal(container.case, "container");
    container.value.image = "";
    const results = compilePackage(entities);
    assert.deepEqual(
      results.map((r) => [r.kind, r.name, r.errors.map((e) => `${e.code} ${e.nodeId}: ${e.message}`)]),
      [
        ["task", "example.example.generate_normal_df", ["ValueRequired container: Value required [image]."]],
        ["workflow", "example.example.wf", []],
      ],
    );
  });

  test("launch plans that call each other's workflows in a loop terminate", async () => {
    const entities = decode(await specs("compile/launchplan-in-wf.tgz"));
    // inner_workflow now calls outer_workflow's launch plan, which calls inner_workflow's: a loop.
    const inner = entities.workflows.find((w) => w.template?.id?.name === "workflows.wf.inner_workflow")!;
    const outerLp = entities.launchPlans.find((lp) => lp.id?.name === "workflows.wf.outer_workflow")!;
    inner.template!.nodes.push(
      create(NodeSchema, {
        id: "n1",
        target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: outerLp.id! } } },
      }),
    );
    const results = compilePackage(entities);
    assert.deepEqual(
      results.map((r) => r.name),
      ["workflows.wf.inner_workflow", "workflows.wf.outer_workflow"],
    );
    // The workflow compiled first cannot see the launch plan of the one that is still waiting for it.
    assert.deepEqual(
      results[0].errors.map((e) => `${e.code} ${e.nodeId}: ${e.message}`),
      [
        "WorkflowReferenceNotFound start-node: Referenced Workflow [launch plan workflows.wf.outer_workflow] not found.",
      ],
    );
  });
});
