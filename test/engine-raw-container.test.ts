// A raw container task from Flyte's own fixtures (a shell script with inputs and outputs as files, Flyte's copilot
// contract) runs through the local plugin when its image is mapped to a folder holding the script.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";

const SPEC = "test/fixtures/flyte-1.16/compiler-goldens/004_ellipse-area-metadata-shell_1.pb";
const IMAGE = "ghcr.io/flyteorg/rawcontainers-shell:v1";
let cluster: TestCluster;

before(async () => {
  cluster = await startCluster({ engine: false });
  // What the image would hold: the script its container command names, reading and writing files.
  const image = join(cluster.dir, "image");
  mkdirSync(image);
  const script = join(image, "calculate-ellipse-area.sh");
  writeFileSync(
    script,
    '#!/bin/sh\na=$(cat "$1/a"); b=$(cat "$1/b")\nawk -v a="$a" -v b="$b" \'BEGIN { printf "%.4f", 3.14159265 * a * b }\' > "$2/area"\necho "[from shell rawcontainer]" > "$2/metadata"\n',
  );
  chmodSync(script, 0o755);
  cluster.engineOptions.images = { [IMAGE]: image };
  await cluster.startEngine();
  const registered = await cluster.tsflyte(
    "register",
    "files",
    "-c",
    cluster.config,
    "-p",
    PROJECT,
    "-d",
    DOMAIN,
    "-v",
    "raw1",
    SPEC,
  );
  assert.equal(registered.code, 0, registered.stdout + registered.stderr);
});

after(async () => {
  await cluster?.close();
});

test("a raw container reads its inputs as files and its output files become outputs", async () => {
  const float = (value: number) => ({
    value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "floatValue", value } } } } },
  });
  const { id } = await cluster.client.createExecution({
    project: PROJECT,
    domain: DOMAIN,
    spec: {
      launchPlan: {
        resourceType: 1,
        project: PROJECT,
        domain: DOMAIN,
        name: "ellipse-area-metadata-shell",
        version: "raw1",
      },
    },
    inputs: create(LiteralMapSchema, { literals: { a: float(2), b: float(3) } } as never),
  });
  const execution = await cluster.waitForEnd(id?.name ?? "");
  const result = execution.closure?.outputResult;
  assert.equal(
    WorkflowExecution_Phase[execution.closure?.phase ?? 0],
    "SUCCEEDED",
    result?.case === "error" ? result.value.message : "",
  );
  const data = await cluster.client.getExecutionData({ id: { project: PROJECT, domain: DOMAIN, name: id?.name } });
  const area = data.fullOutputs?.literals.area?.value;
  const value =
    area?.case === "scalar" && area.value.value.case === "primitive" ? area.value.value.value.value.value : undefined;
  assert.ok(Math.abs(Number(value) - 18.8496) < 1e-3, `area ${value}`);
  const metadata = data.fullOutputs?.literals.metadata?.value;
  assert.match(
    JSON.stringify(metadata?.case === "scalar" ? metadata.value.value.value : ""),
    /from shell rawcontainer/,
  );
});
