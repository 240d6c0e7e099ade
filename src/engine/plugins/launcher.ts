// The engine's side of bin/tsflyte-launcher.js: task processes are started by that small process, because starting
// one from a large process (the demo's engine shares its process with admin and PGlite) costs ~30 ms of blocked
// event loop per process; from the launcher it costs under 1 ms.
import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { tsflyteRoot } from "./runtime-commands.js";

export interface LaunchOptions {
  cwd?: string;
  env: Record<string, string>;
  /** stdout and stderr go there; none: discarded. */
  logFile?: string;
  /** A message channel to the process (warm workers). */
  ipc?: boolean;
}

/** A process the launcher started: its pid, its exit, and its messages when it has a channel. */
export class LaunchedProcess extends EventEmitter {
  connected = true;

  constructor(
    readonly pid: number,
    private readonly launcher: Launcher,
  ) {
    super();
  }

  send(message: unknown): void {
    this.launcher.relay(this.pid, message);
  }
}

type Reply = { op: "spawned"; id: number; pid: number } | { op: "error"; id: number; message: string };

export class Launcher {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: LaunchedProcess | Error) => void>();
  private readonly processes = new Map<number, LaunchedProcess>();

  async launch(file: string, args: string[], options: LaunchOptions): Promise<LaunchedProcess> {
    const child = await this.started();
    const id = this.nextId++;
    const reply = await new Promise<LaunchedProcess | Error>((resolve) => {
      this.waiting.set(id, resolve);
      child.send({
        op: "spawn",
        id,
        file,
        args,
        cwd: options.cwd,
        env: options.env,
        logFile: options.logFile,
        ipc: options.ipc === true,
      });
    });
    if (reply instanceof Error) throw new Error(`cannot start ${file}: ${reply.message}`);
    return reply;
  }

  relay(pid: number, message: unknown): void {
    this.child?.send({ op: "send", pid, message });
  }

  close(): void {
    this.child?.kill();
    this.child = undefined;
    this.ready = undefined;
  }

  private started(): Promise<ChildProcess> {
    if (this.ready === undefined || this.child === undefined || !this.child.connected) {
      const child = spawn(process.execPath, [join(tsflyteRoot(), "bin/tsflyte-launcher.js")], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      this.child = child;
      child.on("message", (message) => this.receive(message as LauncherMessage));
      child.once("exit", () => {
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        for (const launched of this.processes.values()) launched.connected = false;
      });
      child.unref();
      (child.channel as { unref?: () => void } | undefined)?.unref?.();
      this.ready = new Promise((resolve, reject) => {
        child.once("error", reject);
        const onReady = (message: unknown) => {
          if ((message as LauncherMessage).op !== "ready") return;
          child.off("message", onReady);
          resolve();
        };
        child.on("message", onReady);
      });
    }
    const child = this.child as ChildProcess;
    return this.ready.then(() => child);
  }

  /**
   * Node delivers a channel's messages on the next-tick queue, which runs before promise continuations: a busy engine
   * can receive a process's "spawned" reply, its first message and even its exit in one go. So a process is known as
   * soon as its reply is handled, and its messages and exit are passed on a turn later, once whoever awaited
   * launch() has had its continuation run and listened. (Passed on at once, a warm worker's "ready" was lost and the
   * attempt handed to it waited forever.)
   */
  private receive(message: LauncherMessage): void {
    if (message.op === "spawned") {
      const launched = new LaunchedProcess(message.pid, this);
      this.processes.set(message.pid, launched);
      this.waiting.get(message.id)?.(launched);
      this.waiting.delete(message.id);
    } else if (message.op === "error") {
      this.waiting.get(message.id)?.(new Error(message.message));
      this.waiting.delete(message.id);
    } else if (message.op === "message") {
      const launched = this.processes.get(message.pid);
      setImmediate(() => launched?.emit("message", message.message));
    } else if (message.op === "exit") {
      const launched = this.processes.get(message.pid);
      this.processes.delete(message.pid);
      if (launched !== undefined) {
        setImmediate(() => {
          launched.connected = false;
          launched.emit("exit", message.code, message.signal);
        });
      }
    }
  }
}

type LauncherMessage =
  | { op: "ready" }
  | Reply
  | { op: "message"; pid: number; message: unknown }
  | { op: "exit"; pid: number; code: number | null; signal: string | null };
