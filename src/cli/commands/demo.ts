import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import {
  DEFAULT_DEMO_PORT,
  DEMO_BUCKET,
  DEMO_S3_KEYS,
  type DemoPaths,
  DemoError,
  type DemoState,
  demoPaths,
  demoStatus,
  initDemoCluster,
  runningDemo,
  startDemo,
  startDemoCluster,
  stopDemo,
  teardownDemo,
} from "../../demo/index.js";
import { parseArgs } from "../args.js";
import { saveAdminEndpoint, userConfigPath } from "../config.js";
import { UsageError } from "../errors.js";

export const demoHelp = `Usage: tsflyte demo start [--port N] [--s3-port N] [--image IMG=DIR ...]
       tsflyte demo status
       tsflyte demo stop
       tsflyte demo teardown
       tsflyte demo serve [--port N] [--s3-port N] [--image IMG=DIR ...]
       tsflyte demo init

A local Flyte cluster on this machine: admin (with the data proxy, its blob store and the web
console on the same port) and the engine, in one background process. No Docker, no Kubernetes,
nothing to download. Its state lives in ~/.tsflyte/demo: the PGlite metastore, blobs (code
bundles, inputs, outputs, task logs) and the process log (logs/demo.log).

start      starts the cluster in the background, waits until it is healthy, prints the console
           URL, the admin endpoint and the log, and points ~/.tsflyte/config.yaml at it
           (admin.endpoint, admin.insecure; other keys stay), so that run --remote, register,
           get and create reach it. Says so if it is already running.
status     health, memory, and counts: projects, workflows, executions by phase.
stop       stops the cluster; its data stays for the next start.
teardown   stops the cluster and removes ~/.tsflyte/demo.
serve      runs the cluster in this terminal (what start runs in the background).
init       creates the metastore and exits (start runs it first on a first start, in a process
           of its own, so the cluster process does not keep PGlite's initdb memory).

Options:
  --port N            admin's port on 127.0.0.1 (default ${DEFAULT_DEMO_PORT})
  --s3-port N         also serve an S3-compatible endpoint on 127.0.0.1:N and keep the demo's blobs
                      in its bucket ${DEMO_BUCKET} (keys ${DEMO_S3_KEYS.accessKeyId} / ${DEMO_S3_KEYS.secretAccessKey}), so any S3 client
                      sees bundles, inputs and outputs. Chosen at a demo's first start and kept
                      (later starts need not repeat it); a demo started without it keeps a folder.
  --image IMG=DIR     run tasks of image IMG from folder DIR (repeatable): standard-registered
                      tsflyte code whose image is IMG is found in DIR. Fast-registered code
                      (run --remote, register PATH) runs under any image name without it.
  -h, --help          show this help`;

const OPTIONS = {
  port: { value: true, short: "p" },
  "s3-port": { value: true },
  image: { value: true, multiple: true },
  help: { value: false, short: "h" },
};

function port(value: unknown, option = "--port"): number {
  if (value === undefined) return DEFAULT_DEMO_PORT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`${option} ${value}: give a port from 1 to 65535`);
  return n;
}

const s3Port = (value: unknown) => (value === undefined ? undefined : port(value, "--s3-port"));

/** `IMG=DIR` pairs checked, with DIR made absolute (the cluster process runs from another folder). */
function imagePairs(values: string[]): string[] {
  return values.map((pair) => {
    const eq = pair.lastIndexOf("=");
    if (eq <= 0 || eq === pair.length - 1) {
      throw new UsageError(`--image ${pair}: write it as IMAGE=FOLDER, e.g. --image example.com/app:1=./app`);
    }
    return `${pair.slice(0, eq)}=${resolve(pair.slice(eq + 1))}`;
  });
}

/** Paths under the home folder written as ~/..., shorter to read. */
function tilde(path: string): string {
  const home = homedir();
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

function describe(state: DemoState, paths: DemoPaths): string {
  return [
    `  console:  ${state.url}/console`,
    `  admin:    dns:///${new URL(state.url).host} (${state.url}; gRPC, gRPC-Web, Connect)`,
    ...(state.s3
      ? [
          `  s3:       ${state.s3} (bucket ${DEMO_BUCKET}, keys ${DEMO_S3_KEYS.accessKeyId} / ${DEMO_S3_KEYS.secretAccessKey})`,
        ]
      : []),
    `  logs:     ${tilde(paths.log)}`,
    `  data:     ${tilde(paths.home)}`,
  ].join("\n");
}

async function start(paths: DemoPaths, options: Record<string, unknown>): Promise<number> {
  const images = imagePairs((options.image as string[] | undefined) ?? []);
  const wanted = port(options.port);
  const running = runningDemo(paths);
  if (running !== undefined) {
    console.log(`The demo cluster is already running (pid ${running.pid}).\n${describe(running, paths)}`);
    if (options.port !== undefined && running.port !== wanted) {
      console.log(`It listens on port ${running.port}, not ${wanted}: run tsflyte demo stop first to change the port.`);
    }
    return 0;
  }
  // Run the cluster with this very CLI (same Node, same flags, same installation).
  const cli = [process.execPath, ...process.execArgv, realpathSync(process.argv[1])];
  const started = await startDemo(paths, { port: wanted, images, cli, s3Port: s3Port(options["s3-port"]) });
  const config = userConfigPath();
  const replaced = saveAdminEndpoint(config, started.state.url);
  const seconds = (started.readyMs / 1000).toFixed(1);
  console.log(
    `Demo cluster started in ${seconds} s${started.firstStart ? " (first start: metastore created)" : ""}, pid ${started.state.pid}.`,
  );
  console.log(describe(started.state, paths));
  console.log(`  config:   ${tilde(config)} points at it${replaced ? ` (admin.endpoint was ${replaced})` : ""}`);
  if (process.env.TSFLYTE_CONFIG) {
    console.log(`  note:     TSFLYTE_CONFIG=${process.env.TSFLYTE_CONFIG} is read first; unset it to reach the demo`);
  }
  console.log("\nTry: tsflyte run --remote examples/hello.ts hello_wf --wait");
  return 0;
}

async function status(paths: DemoPaths): Promise<number> {
  const report = await demoStatus(paths);
  if (report.state === undefined) {
    console.log("The demo cluster is not running. Start it with: tsflyte demo start");
    return 1;
  }
  const since = new Date(report.state.startedAt).toLocaleString();
  console.log(`The demo cluster is running (pid ${report.state.pid}, since ${since}).`);
  console.log(`  health:   ${report.healthy ? "ok" : `not answering at ${report.state.url}/healthz`}`);
  if (report.rssBytes !== undefined) console.log(`  memory:   ${Math.round(report.rssBytes / 2 ** 20)} MB resident`);
  console.log(describe(report.state, paths));
  if (report.counts) {
    const phases = Object.entries(report.counts.executions).sort(([a], [b]) => a.localeCompare(b));
    const total = phases.reduce((sum, [, n]) => sum + n, 0);
    console.log(`  projects: ${report.counts.projects}`);
    console.log(`  workflows: ${report.counts.workflows}`);
    console.log(
      `  executions: ${total}${phases.length > 0 ? ` (${phases.map(([phase, n]) => `${phase} ${n}`).join(", ")})` : ""}`,
    );
  }
  return report.healthy ? 0 : 1;
}

/** The cluster in the foreground: `demo start` runs this detached, its output going to the demo log. */
async function serve(paths: DemoPaths, options: Record<string, unknown>): Promise<number> {
  const images = Object.fromEntries(
    imagePairs((options.image as string[] | undefined) ?? []).map((pair) => {
      const eq = pair.lastIndexOf("=");
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
  const cluster = await startDemoCluster(paths, {
    port: port(options.port),
    images,
    s3Port: s3Port(options["s3-port"]),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") {
      throw new UsageError(`port ${port(options.port)} is in use; stop what uses it or pass --port`);
    }
    throw error;
  });
  console.log(`demo cluster ready at ${cluster.url} (console ${cluster.url}/console), pid ${process.pid}`);
  await new Promise<void>((done) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => done());
  });
  console.log("demo cluster stopping");
  await cluster.close();
  console.log("demo cluster stopped");
  return 0;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  const [action, ...extra] = positionals;
  if (options.help || action === undefined) {
    console.log(demoHelp);
    return options.help ? 0 : 2;
  }
  if (extra.length > 0) throw new UsageError(`demo ${action} takes no arguments, got: ${extra.join(" ")}`);
  const paths = demoPaths();
  try {
    switch (action) {
      case "start":
        return await start(paths, options);
      case "status":
        return await status(paths);
      case "stop": {
        const stopped = await stopDemo(paths);
        console.log(
          stopped
            ? `Demo cluster stopped (pid ${stopped.pid}); its data stays in ${tilde(paths.home)}. Start it again with: tsflyte demo start`
            : "The demo cluster is not running.",
        );
        return 0;
      }
      case "teardown": {
        const { stopped, removed } = await teardownDemo(paths);
        const what = [
          stopped ? `stopped the demo cluster (pid ${stopped.pid})` : "",
          removed ? `removed ${tilde(paths.home)}` : "",
        ];
        console.log(
          what.some(Boolean)
            ? `Demo: ${what.filter(Boolean).join(", ")}.`
            : "Nothing to tear down: no demo cluster here.",
        );
        return 0;
      }
      case "serve":
        return await serve(paths, options);
      case "init":
        await initDemoCluster(paths);
        console.log(`demo metastore ready in ${paths.db}`);
        return 0;
      default:
        throw new UsageError(`unknown demo action "${action}"; use start, status, stop, teardown, serve or init`);
    }
  } catch (error) {
    if (error instanceof DemoError) {
      console.error(`Error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
