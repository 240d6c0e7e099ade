// Task processes started ahead of need. A tsflyte task attempt spends most of its time starting Node and loading
// tsflyte (100-200 ms); a worker does that while idle, then receives one attempt and exits after it, so each
// attempt still runs in a process of its own. An array node's sub-nodes are the exception: many small attempts of
// one task, so a worker that finished one takes the next (by `shareKey`), as a map over 10,000 items needs.
import { join } from "node:path";
import type { LaunchedProcess, Launcher } from "./launcher.js";
import { tsflyteRoot } from "./runtime-commands.js";

/** Loading takes ~0.2 s; a worker not ready after this long is stuck. */
const LOAD_TIMEOUT_MS = 60_000;

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export interface WorkerJob {
  command: "tsflyte-execute" | "tsflyte-fast-execute";
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  exitFile: string;
  /** Where the worker records what the attempt used (./usage.ts), before writing the exit file. */
  usageFile: string;
}

interface Worker {
  process: Promise<LaunchedProcess>;
  /** Set once the process exists (it may still be loading tsflyte). */
  spawned?: LaunchedProcess;
  /** Set once the worker has loaded tsflyte and waits for a job. */
  ready?: LaunchedProcess;
  loaded: Promise<LaunchedProcess>;
}

export class WarmWorkers {
  private readonly spares: Worker[] = [];
  /** Workers that ran a shared attempt and wait for the next one of the same task, by share key. */
  private readonly idle = new Map<string, LaunchedProcess[]>();
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly launcher: Launcher,
  ) {
    this.fill();
  }

  /**
   * Hands `job` to a spare and returns its process, or undefined when there is none (the caller spawns instead). A
   * spare still loading gets the job once it is ready: the rest of its load is never longer than a new process's
   * whole start, and back-to-back attempts that outrun the spares no longer add processes competing for the cores.
   */
  run(job: WorkerJob): LaunchedProcess | undefined {
    const ready = this.takeSpare();
    if (ready !== undefined) {
      ready.send({ ...job, reuse: false });
      return ready;
    }
    const loading = this.takeLoading();
    if (loading === undefined) return undefined;
    // A worker that dies while loading never writes the exit file: the engine reports the attempt interrupted.
    loading.loaded.then((child) => child.send({ ...job, reuse: false })).catch(() => undefined);
    return loading.spawned;
  }

  /**
   * Hands `job` to a worker that may run more jobs of `shareKey` afterwards: an idle one of that key, a spare, or
   * a new worker once it has loaded. `done` is called when the job has ended (its exit file is written);
   * `beforeSend` once the worker is chosen, with its pid, to complete the job's environment.
   */
  async runShared(
    job: WorkerJob,
    shareKey: string,
    done: () => void,
    beforeSend?: (pid: number) => void,
  ): Promise<LaunchedProcess> {
    const worker = this.idle.get(shareKey)?.pop() ?? this.takeSpare() ?? (await this.spawnWorker().loaded);
    beforeSend?.(worker.pid);
    const onMessage = (message: unknown) => {
      if ((message as { done?: string })?.done !== job.exitFile) return;
      worker.off("message", onMessage);
      if (!this.closed && worker.connected) this.idleWorkers(shareKey).push(worker);
      done();
    };
    worker.on("message", onMessage);
    worker.send({ ...job, reuse: true });
    return worker;
  }

  close(): void {
    this.closed = true;
    for (const worker of this.spares.splice(0)) worker.process.then((p) => kill(p.pid)).catch(() => undefined);
    for (const workers of this.idle.values()) for (const worker of workers.splice(0)) kill(worker.pid);
  }

  private idleWorkers(key: string): LaunchedProcess[] {
    let workers = this.idle.get(key);
    if (workers === undefined) {
      workers = [];
      this.idle.set(key, workers);
    }
    return workers;
  }

  private takeSpare(): LaunchedProcess | undefined {
    const index = this.spares.findIndex((worker) => worker.ready?.connected);
    if (index < 0) return undefined;
    const [worker] = this.spares.splice(index, 1);
    // Replaced at once: back-to-back attempts outran a replacement that waited for the attempt to get going.
    this.fill();
    return worker.ready;
  }

  /** The spare that started loading first, taken from the pool (and replaced). */
  private takeLoading(): Worker | undefined {
    const index = this.spares.findIndex((worker) => worker.ready === undefined && worker.spawned?.connected);
    if (index < 0) return undefined;
    const [worker] = this.spares.splice(index, 1);
    this.fill();
    return worker;
  }

  private spawnWorker(): Worker {
    const started = this.launcher.launch(process.execPath, [join(tsflyteRoot(), "bin/tsflyte-worker.js")], {
      env: process.env as Record<string, string>,
      ipc: true,
    });
    const worker: Worker = {
      process: started,
      loaded: started.then(
        (child) =>
          new Promise<LaunchedProcess>((resolve, reject) => {
            child.once("message", () => {
              worker.ready = child;
              resolve(child);
            });
            child.once("exit", (code) =>
              reject(new Error(`a task worker process exited (code ${code}) while starting`)),
            );
          }),
      ),
    };
    worker.loaded.catch(() => undefined);
    started
      .then((child) => {
        worker.spawned = child;
        // A worker that never becomes ready is killed: an attempt handed to it then fails as interrupted and is
        // retried, instead of waiting forever.
        const stuck = setTimeout(() => {
          if (worker.ready === undefined) kill(child.pid);
        }, LOAD_TIMEOUT_MS);
        stuck.unref();
        worker.loaded.finally(() => clearTimeout(stuck)).catch(() => undefined);
        child.once("exit", () => {
          const at = this.spares.indexOf(worker);
          if (at >= 0) this.spares.splice(at, 1);
          for (const workers of this.idle.values()) {
            const i = workers.indexOf(child);
            if (i >= 0) workers.splice(i, 1);
          }
        });
      })
      .catch(() => undefined);
    return worker;
  }

  private fill(): void {
    while (!this.closed && this.spares.length < this.size) this.spares.push(this.spawnWorker());
  }
}
