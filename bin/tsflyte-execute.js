#!/usr/bin/env node
// Runs inside a task's container: one attempt of one task (see docs/cli.md, the container contract).
import { loadTsflyte } from "./bundle.mjs";

const { execute } = await loadTsflyte();
process.exitCode = await execute(process.argv.slice(2));
