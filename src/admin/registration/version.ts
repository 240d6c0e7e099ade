// GetVersion: tsflyte's own version as the control plane version.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { GetVersionResponseSchema } from "../../idl/gen/flyteidl/admin/version_pb.js";

function tsflyteVersion(): string {
  // The nearest package.json named tsflyte upwards, so sources and a bundle both find it.
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const path = join(dir, "package.json");
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, "utf8"));
      if (pkg.name === "tsflyte") return String(pkg.version);
    }
  }
  return "unknown";
}

const VERSION = tsflyteVersion();

export function getVersion() {
  return create(GetVersionResponseSchema, {
    controlPlaneVersion: { Version: VERSION, Build: "tsflyte", BuildTime: "" },
  });
}
