#!/usr/bin/env node
// Runs inside a fast-registered task's container: fetches the code bundle, then runs the task from it (docs/cli.md).
import { loadTsflyte } from "./bundle.mjs";

const { fastExecute } = await loadTsflyte();
process.exitCode = await fastExecute(process.argv.slice(2));
