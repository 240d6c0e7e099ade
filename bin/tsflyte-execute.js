#!/usr/bin/env node
// Runs inside a task's container: one attempt of one task (see docs/cli.md, the container contract).
import "./ts-register.mjs";

const { execute } = await import("../src/runtime/index.ts");
process.exitCode = await execute(process.argv.slice(2));
