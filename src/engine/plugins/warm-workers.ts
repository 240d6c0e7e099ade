// Task processes started ahead of need. A tsflyte task attempt spends most of its time starting Node and loading
// tsflyte (100-200 ms); a worker does that while idle, then receives one attempt and exits after it, so each
// attempt still runs in a process of its own. An array node's sub-nodes are the exception: many small attempts of
// one task, so a worker that finished one takes the next (by `shareKey`), as a map over 10,000 items needs.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { tsflyteRoot } from "./runtime-commands.js";

export interface WorkerJob {
  command: "tsflyte-execute" | "tsflyte-fast-execute";
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  exitFile: string;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
}

/** After handing out a spare, its replacement starts this much later, not competing with the attempt for CPU. */
const REFILL_DELAY_MS = 100;

export class WarmWorkers {
  private readonly spares: Worker[] = [];
  /** Workers that ran a shared attempt and wait for the next one of the same task, by share key. */
  private readonly idle = new Map<string, Worker[]>();
  private closed = false;

  constructor(private readonly size: number) {
    this.fill();
  }

  /** Hands `job` to a ready spare and returns it, or undefined when none is ready (the caller spawns instead). */
  run(job: WorkerJob): ChildProcess | undefined {
    const worker = this.takeSpare();
    if (worker === undefined) return undefined;
    worker.child.send({ ...job, reuse: false });
    return worker.child;
  }

  /**
   * Hands `job` to a worker that may run more jobs of `shareKey` afterwards: an idle one of that key, a spare, or
   * a new worker once it has loaded. `done` is called when the job has ended (its exit file is written).
   */
  async runShared(job: WorkerJob, shareKey: string, done: () => void): Promise<ChildProcess> {
    const worker = this.idle.get(shareKey)?.pop() ?? this.takeSpare() ?? (await this.started(this.spawnWorker()));
    const onMessage = (message: unknown) => {
      if ((message as { done?: string })?.done !== job.exitFile) return;
      worker.child.off("message", onMessage);
      if (!this.closed && worker.child.connected) this.idleWorkers(shareKey).push(worker);
      done();
    };
    worker.child.on("message", onMessage);
    worker.child.send({ ...job, reuse: true });
    return worker.child;
  }

  close(): void {
    this.closed = true;
    for (const worker of this.spares.splice(0)) worker.child.kill("SIGKILL");
    for (const workers of this.idle.values()) for (const worker of workers.splice(0)) worker.child.kill("SIGKILL");
  }

  private idleWorkers(key: string): Worker[] {
    let workers = this.idle.get(key);
    if (workers === undefined) {
      workers = [];
      this.idle.set(key, workers);
    }
    return workers;
  }

  private takeSpare(): Worker | undefined {
    const index = this.spares.findIndex((worker) => worker.ready && worker.child.connected);
    if (index < 0) return undefined;
    const [worker] = this.spares.splice(index, 1);
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    return worker;
  }

  private started(worker: Worker): Promise<Worker> {
    if (worker.ready) return Promise.resolve(worker);
    return new Promise((resolve, reject) => {
      worker.child.once("message", () => resolve(worker));
      worker.child.once("exit", (code) =>
        reject(new Error(`a task worker process exited (code ${code}) while starting`)),
      );
    });
  }

  private spawnWorker(): Worker {
    const child = spawn(process.execPath, [join(tsflyteRoot(), "bin/tsflyte-worker.js")], {
      detached: true,
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    const worker: Worker = { child, ready: false };
    child.once("message", () => {
      worker.ready = true;
    });
    child.once("exit", () => {
      const at = this.spares.indexOf(worker);
      if (at >= 0) this.spares.splice(at, 1);
      for (const workers of this.idle.values()) {
        const i = workers.indexOf(worker);
        if (i >= 0) workers.splice(i, 1);
      }
    });
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    return worker;
  }

  private fill(): void {
    while (!this.closed && this.spares.length < this.size) this.spares.push(this.spawnWorker());
  }
}
