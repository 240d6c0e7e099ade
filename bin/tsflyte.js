#!/usr/bin/env node
// The tsflyte CLI.
import { loadTsflyte } from "./bundle.mjs";

const { main } = await loadTsflyte();
process.exitCode = await main(process.argv.slice(2));
