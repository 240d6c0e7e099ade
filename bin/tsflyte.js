#!/usr/bin/env node
// The tsflyte CLI. Sources are TypeScript, loaded through esbuild-backed module hooks.
import "./ts-register.mjs";

const { main } = await import("../src/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));
