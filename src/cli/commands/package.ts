import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { buildFastBundle, entityFileName, writeArchive } from "../../archive/index.js";
import { DEFAULT_IMAGE, PLACEHOLDERS, placeholderSettings, serializeEntities } from "../../sdk/index.js";
import { projectRoot } from "../../sdk/naming.js";
import { parseArgs } from "../args.js";
import { UsageError } from "../errors.js";
import { loadWorkflowFiles } from "../workflow-files.js";
import { precompile } from "../precompile.js";

export const packageHelp = `Usage: tsflyte package [options] PATH...

Serializes every task, workflow and launch plan exported by the .ts/.js files under PATH
(files or folders) into a registration archive laid out as pyflyte's: one
<idx>_<name>_<1|2|3>.pb per entity, identifiers left as {{ registration.* }} placeholders
for \`register files\` to fill in.

Options:
  -i, --image IMG     image for tasks that do not name one (default ${DEFAULT_IMAGE})
  --fast              add a fast<digest>.tar.gz code bundle; tasks fetch it at run time
  -o, --output FILE   archive to write (default flyte-package.tgz)
  -f, --force         overwrite an existing archive
  -h, --help          show this help`;

const OPTIONS = {
  image: { value: true, short: "i" },
  fast: { value: false },
  output: { value: true, short: "o" },
  force: { value: false, short: "f" },
  help: { value: false, short: "h" },
};

export async function packageCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help) {
    console.log(packageHelp);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError("tsflyte package needs at least one PATH (a file or folder of workflows)");
  const output = resolve(String(options.output ?? "flyte-package.tgz"));
  if (existsSync(output) && !options.force) {
    throw new UsageError(`${output} already exists; pass --force to overwrite it or -o to write elsewhere`);
  }
  const { entities, modules } = await loadWorkflowFiles(positionals);
  const members: { name: string; data: Uint8Array }[] = [];
  let fast: { distribution: string; destDir: string } | undefined;
  if (options.fast) {
    const bundle = await buildFastBundle({ root: projectRoot(modules[0]), entryFiles: modules });
    members.push({ name: bundle.fileName, data: bundle.data });
    fast = { distribution: PLACEHOLDERS.remotePackagePath, destDir: PLACEHOLDERS.destDir };
    process.stderr.write(`Bundled code into ${bundle.fileName} (${bundle.data.length} bytes)\n`);
  }
  const serialized = await serializeEntities(
    entities,
    placeholderSettings(String(options.image ?? DEFAULT_IMAGE), fast),
  );
  precompile(serialized);
  const specs = serialized.map((s, i) => ({
    name: entityFileName(i, serialized.length, s.name, s.kind),
    data: s.bytes,
  }));
  const archive = await writeArchive([...specs, ...members]);
  await writeFile(output, archive);
  const count = (kind: number) => serialized.filter((s) => s.kind === kind).length;
  process.stderr.write(
    `Serialized ${count(1)} task(s), ${count(2)} workflow(s), ${count(3)} launch plan(s)\n` +
      `Wrote ${output} (${archive.length} bytes)\n`,
  );
  return 0;
}
