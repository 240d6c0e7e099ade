// The engine process: finds executions admin holds that are not finished (new ones, ones it was running before
// a restart, ones being terminated) and drives each, reporting everything back through admin's API.
import { hostname } from "node:os";
import { join } from "node:path";
import { ConnectError } from "@connectrpc/connect";
import { type BlobStore, type BlobStoreConfig, joinUri, openBlobStore } from "../storage/index.js";
import { type AdminApi, connectAdmin } from "./admin-api.js";
import { BlobCatalog } from "./catalog/index.js";
import type { ExecutionIds } from "./context.js";
import { ExecutionDriver } from "./driver.js";
import { sleep } from "./events.js";
import { LiteralStore } from "./literals.js";
import { LocalProcessPlugin } from "./plugins/local-process.js";
import type { TaskPlugin } from "./plugins/plugin.js";

export interface EngineOptions {
  /** Admin's URL, e.g. http://127.0.0.1:30080. */
  adminUrl: string;
  /** The blob store admin uses (the engine reads and writes execution data there directly, as propeller does). */
  storage: BlobStoreConfig | BlobStore;
  /** Where task attempts get their working dirs and logs (a folder on this machine). */
  workDir: string;
  /** Reported as events' producer_id; admin ties an execution to the first engine that reports on it. */
  producerId?: string;
  /** How often admin is asked for executions to run, in ms (default 200; `nudge()` asks at once). */
  pollIntervalMs?: number;
  /** Task plugins, tried in order; default: the local process plugin. */
  plugins?: TaskPlugin[];
  /** For the default local plugin: tsflyte task processes kept started (default 2). */
  warmWorkers?: number;
  /** For the default local plugin: images it runs from a folder on this machine. */
  images?: Record<string, string>;
  /** Called when driving an execution fails unexpectedly (it is retried on the next poll). */
  onError?: (execution: ExecutionIds, error: unknown) => void;
}

export interface RunningEngine {
  /**
   * Look for new or terminated executions now instead of at the next poll; told which execution changed, start
   * driving a new one at once (the demo's admin, in the same process, tells it).
   */
  nudge(change?: { id: ExecutionIds; terminating: boolean }): void;
  /** Executions being driven right now. */
  active(): ExecutionIds[];
  /** Stops polling and driving; task processes keep running and are adopted by the next engine. */
  stop(): Promise<void>;
}

/** Every phase in which an execution still needs the engine (UNDEFINED = created, not yet picked up). */
const UNFINISHED = "value_in(phase,UNDEFINED;QUEUED;RUNNING;SUCCEEDING;FAILING;ABORTING)";
const PAGE = 500;

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const api = connectAdmin(options.adminUrl);
  const ownsStore = !("baseUri" in options.storage);
  const store = "baseUri" in options.storage ? options.storage : openBlobStore(options.storage);
  const stop = new AbortController();
  const producerId = options.producerId ?? `tsflyte-engine@${hostname()}`;
  const plugins = options.plugins ?? [localPlugin(store, options)];
  const deps = {
    api,
    producerId,
    store,
    literals: new LiteralStore(store),
    plugins,
    catalog: new BlobCatalog(store, store.baseUri),
    stopped: stop.signal,
  };
  const drivers = new Map<string, { driver: ExecutionDriver; done: Promise<void> }>();
  let nudged: (() => void) | undefined;

  const drive = (id: ExecutionIds, aborting: boolean) => {
    const key = `${id.project}/${id.domain}/${id.name}`;
    const running = drivers.get(key);
    if (running !== undefined) {
      if (aborting) running.driver.requestAbort();
      return;
    }
    const driver = new ExecutionDriver(deps, id);
    if (aborting) driver.requestAbort();
    const done = driver
      .run()
      .catch((error) => (options.onError ?? defaultOnError)(id, error))
      .finally(() => drivers.delete(key));
    drivers.set(key, { driver, done });
  };

  const poll = async () => {
    while (!stop.signal.aborted) {
      try {
        for (const execution of await unfinishedExecutions(api)) drive(execution.id, execution.aborting);
      } catch (error) {
        if (!stop.signal.aborted) options.onError?.({ project: "", domain: "", name: "" }, error);
      }
      await new Promise<void>((resolve) => {
        nudged = resolve;
        sleep(options.pollIntervalMs ?? 200, stop.signal).then(resolve);
      });
    }
  };
  const polling = poll();

  return {
    nudge: (change) => {
      if (change !== undefined && !change.terminating && !stop.signal.aborted) drive(change.id, false);
      else nudged?.();
    },
    active: () => [...drivers.values()].map((d) => d.driver.id),
    stop: async () => {
      stop.abort();
      nudged?.();
      await polling;
      await Promise.allSettled([...drivers.values()].map((d) => d.done));
      for (const plugin of plugins) await plugin.close?.();
      if (ownsStore) store.close();
    },
  };
}

function localPlugin(store: BlobStore, options: EngineOptions): TaskPlugin {
  return new LocalProcessPlugin({
    store,
    storeEnv: storeEnv(options.storage),
    workRoot: join(options.workDir, "attempts"),
    warmWorkers: options.warmWorkers,
    imageDirs: options.images,
    // With a local store the log is written straight into it, so admin can serve it while the task runs.
    logLocation:
      store.scheme === "file"
        ? (attempt) => {
            const uri = joinUri(
              store.baseUri,
              "logs",
              attempt.execution.project,
              attempt.execution.domain,
              attempt.execution.name,
              `${attempt.uniqueId}.log`,
            );
            return { path: new URL(uri).pathname, uri };
          }
        : undefined,
  });
}

/** What a task process needs to reach an S3 store the way the engine does (flytekit's FLYTE_AWS_* names). */
function storeEnv(storage: EngineOptions["storage"]): Record<string, string> {
  if ("baseUri" in storage || storage.kind !== "s3") return {};
  const env: Record<string, string> = { AWS_REGION: storage.region };
  if (storage.endpoint) env.FLYTE_AWS_ENDPOINT = storage.endpoint;
  if (storage.credentials) {
    env.FLYTE_AWS_ACCESS_KEY_ID = storage.credentials.accessKeyId;
    env.FLYTE_AWS_SECRET_ACCESS_KEY = storage.credentials.secretAccessKey;
  }
  return env;
}

async function unfinishedExecutions(api: AdminApi): Promise<{ id: ExecutionIds; aborting: boolean }[]> {
  const found: { id: ExecutionIds; aborting: boolean }[] = [];
  const { projects } = await api.admin.listProjects({ limit: 1000 });
  for (const project of projects) {
    for (const domain of project.domains) {
      let token = "";
      do {
        const page = await api.admin.listExecutions({
          id: { project: project.id, domain: domain.id },
          limit: PAGE,
          token,
          filters: UNFINISHED,
        });
        for (const execution of page.executions) {
          if (execution.id === undefined) continue;
          const { project: p, domain: d, name } = execution.id;
          found.push({ id: { project: p, domain: d, name }, aborting: execution.closure?.phase === 9 });
        }
        token = page.token;
      } while (token !== "");
    }
  }
  return found;
}

function defaultOnError(id: ExecutionIds, error: unknown): void {
  const message =
    error instanceof ConnectError
      ? error.rawMessage
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  console.error(`tsflyte engine: execution ${id.project}/${id.domain}/${id.name}: ${message}`);
}
