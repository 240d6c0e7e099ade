import type { LocalEvent } from "../sdk/local/index.js";

/**
 * A one-line live status of a local run on an interactive terminal: nodes running, done,
 * cached, retried and failed, and what runs now. Silent when stderr is not a terminal.
 */
export class LiveProgress {
  private readonly running = new Map<string, string>();
  private done = 0;
  private cached = 0;
  private retried = 0;
  private failed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.start();
  }

  private start(): void {
    if (this.stream.isTTY) this.timer = setInterval(() => this.draw(), 100);
  }

  readonly onEvent = (event: LocalEvent): void => {
    if (event.phase === "RUNNING") this.running.set(event.nodePath, event.entity);
    else this.running.delete(event.nodePath);
    if (event.phase === "SUCCEEDED") this.done++;
    if (event.phase === "CACHED") this.cached++;
    if (event.phase === "RETRYING") this.retried++;
    if (event.phase === "FAILED") this.failed++;
  };

  private draw(): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const [path, entity] = this.running.entries().next().value ?? [];
    const now = path ? `  now: ${path} ${entity}` : "";
    const line = `${seconds}s  ${this.running.size} running, ${this.done} done, ${this.cached} cached, ${this.retried} retried, ${this.failed} failed${now}`;
    this.stream.write(`\r\x1b[K${line.slice(0, (this.stream.columns ?? 100) - 1)}`);
  }

  /** Clears the line and stops drawing while `body` runs (a question on the terminal), then goes on. */
  async suspend<T>(body: () => Promise<T>): Promise<T> {
    const drawing = this.timer !== undefined;
    this.stop();
    try {
      return await body();
    } finally {
      if (drawing) this.start();
    }
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write("\r\x1b[K");
  }
}
