// Regenerates src/idl/gen from the .proto files shipped in @flyteorg/flyteidl (pinned).
// Usage: node scripts/gen-idl.mjs [outDir]; outDir (default src/idl/gen) is replaced wholesale.
// test/idl-gen.test.ts generates into a temp dir and checks it matches src/idl/gen byte for byte.
// flyteidl's service protos carry protoc-gen-openapiv2 options that only matter to the
// REST gateway's swagger output; we strip them (import and option blocks) so buf needs no
// remote dependencies. google/api/{annotations,http}.proto come from google-proto-files.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const flyteProtos = join(root, "node_modules/@flyteorg/flyteidl/protos/flyteidl");
const googleApi = join(root, "node_modules/google-proto-files/google/api");
const out = resolve(process.argv[2] ?? join(root, "src/idl/gen"));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Removes `option (grpc.gateway.protoc_gen_openapiv2...) = {...};` blocks, braces balanced. */
export function stripOpenapiv2(source) {
  let text = source.replace(/^import "protoc-gen-openapiv2\/[^"]+";\n/gm, "");
  const marker = /option \(grpc\.gateway\.protoc_gen_openapiv2\.options\.[a-z_0-9]+\) = \{/g;
  let match = marker.exec(text);
  while (match) {
    let depth = 1;
    let i = match.index + match[0].length;
    while (depth > 0) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
      i++;
    }
    if (text[i] === ";") i++;
    text = text.slice(0, match.index) + text.slice(i);
    marker.lastIndex = match.index;
    match = marker.exec(text);
  }
  return text;
}

const work = mkdtempSync(join(tmpdir(), "tsflyte-gen-"));
try {
  const protoDir = join(work, "proto");
  for (const file of walk(flyteProtos).filter((f) => f.endsWith(".proto"))) {
    const target = join(protoDir, "flyteidl", relative(flyteProtos, file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, stripOpenapiv2(readFileSync(file, "utf8")));
  }
  mkdirSync(join(protoDir, "google/api"), { recursive: true });
  for (const name of ["annotations.proto", "http.proto"]) {
    cpSync(join(googleApi, name), join(protoDir, "google/api", name));
  }
  writeFileSync(join(protoDir, "buf.yaml"), "version: v2\n");
  writeFileSync(
    join(work, "buf.gen.yaml"),
    [
      "version: v2",
      "plugins:",
      `  - local: ${join(root, "node_modules/.bin/protoc-gen-es")}`,
      "    out: gen",
      "    opt: [target=ts, import_extension=js]",
      "",
    ].join("\n"),
  );
  execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "proto"], { cwd: work, stdio: "inherit" });
  rmSync(out, { recursive: true, force: true });
  cpSync(join(work, "gen"), out, { recursive: true });
  console.log(`generated ${walk(out).length} files into ${relative(root, out)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
