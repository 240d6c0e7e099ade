// Task processes started ahead of need. A tsflyte task attempt spends most of its time starting Node and loading
// tsflyte (about 150 ms); a worker does that while idle, then receives one attempt and exits after it, so each
// attempt still runs in a process of its own.
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

const REFILL_DELAY_MS = 100;

interface Spare {
  child: ChildProcess;
  ready: boolean;
}

export class WarmWorkers {
  private readonly spares: Spare[] = [];
  private closed = false;

  constructor(private readonly size: number) {
    this.fill();
  }

  /** Hands `job` to a ready worker and returns it, or undefined when none is ready (the caller spawns instead). */
  run(job: WorkerJob): ChildProcess | undefined {
    const index = this.spares.findIndex((spare) => spare.ready && spare.child.connected);
    if (index < 0) return undefined;
    const [spare] = this.spares.splice(index, 1);
    spare.child.send(job);
    // Starting the replacement at once would compete with this attempt for the CPU it is about to need.
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    return spare.child;
  }

  close(): void {
    this.closed = true;
    for (const spare of this.spares.splice(0)) spare.child.kill("SIGKILL");
  }

  private fill(): void {
    while (!this.closed && this.spares.length < this.size) {
      const child = spawn(process.execPath, [join(tsflyteRoot(), "bin/tsflyte-worker.js")], {
        detached: true,
        stdio: ["ignore", "ignore", "ignore", "ipc"],
      });
      const spare: Spare = { child, ready: false };
      child.once("message", () => {
        spare.ready = true;
      });
      child.once("exit", () => {
        const at = this.spares.indexOf(spare);
        if (at >= 0) this.spares.splice(at, 1);
      });
      child.unref();
      (child.channel as { unref?: () => void } | undefined)?.unref?.();
      this.spares.push(spare);
    }
  }
}
