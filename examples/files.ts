// Files and directories: tasks exchange them by path (blob URIs on a cluster).
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { t, task, workflow } from "tsflyte";

export const write_lines = task(
  { inputs: { lines: t.list(t.string()) }, outputs: { file: t.file() } },
  async ({ lines }, ctx) => {
    const file = join(ctx.workDir, "lines.txt");
    await writeFile(file, `${lines.join("\n")}\n`);
    return { file };
  },
);

export const split_lines = task(
  { inputs: { file: t.file() }, outputs: { dir: t.directory() } },
  async ({ file }, ctx) => {
    const dir = join(ctx.workDir, "parts");
    await mkdir(dir, { recursive: true });
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    await Promise.all(lines.map((line, i) => writeFile(join(dir, `part-${i}.txt`), line)));
    return { dir };
  },
);

export const count_files = task(
  { inputs: { dir: t.directory() }, outputs: { count: t.int(), longest: t.string() } },
  async ({ dir }) => {
    const names = (await readdir(dir)).sort();
    const contents = await Promise.all(names.map((n) => readFile(join(dir, n), "utf8")));
    const longest = contents.reduce((a, b) => (b.length > a.length ? b : a), "");
    return { count: names.length, longest };
  },
);

export const files_wf = workflow(
  {
    inputs: { lines: t.list(t.string()).default(["alpha", "beta", "gamma delta"]) },
    outputs: { count: t.int(), longest: t.string() },
  },
  ({ lines }) => {
    const counted = count_files({ dir: split_lines({ file: write_lines({ lines }).file }).dir });
    return { count: counted.count, longest: counted.longest };
  },
);
