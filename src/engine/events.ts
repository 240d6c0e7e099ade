// Sends workflow, node and task events to admin in the order the engine produces them. Transport failures are
// retried with backoff until admin answers, so no event is lost while admin restarts; admin's answers are
// classified as flytepropeller's event sink does (events/errors/errors.go).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventFailureReasonSchema } from "../idl/gen/flyteidl/admin/event_pb.js";
import {
  type NodeExecutionEvent,
  NodeExecutionEventSchema,
  TaskExecutionEventSchema,
  WorkflowExecutionEventSchema,
} from "../idl/gen/flyteidl/event/event_pb.js";
import type { AdminApi } from "./admin-api.js";

/** What admin made of an event: stored, a duplicate of one it has, or refused because the entity already ended. */
export type EventOutcome = "recorded" | "duplicate" | "terminal";

/** Admin refused an event for a reason retrying cannot fix (bad argument, unknown execution, other cluster). */
export class EventRejectedError extends Error {
  constructor(
    readonly what: string,
    readonly code: Code,
    message: string,
  ) {
    super(`admin refused the ${what} event (${Code[code]}): ${message}`);
    this.name = "EventRejectedError";
  }
}

/** flytepropeller truncates error messages to this many bytes before sending (events.MaxErrorMessageLength). */
const MAX_ERROR_MESSAGE_BYTES = 100 * 1024;

const RETRYABLE = new Set([Code.Unavailable, Code.Internal, Code.Unknown, Code.DeadlineExceeded, Code.Aborted]);

/** The plain-object form of an event (not an already built message), so the recorder can add its own fields. */
type Init<T> = Extract<T, { $typeName?: undefined }>;
type WorkflowEventInit = Init<MessageInitShape<typeof WorkflowExecutionEventSchema>>;
type NodeEventInit = Init<MessageInitShape<typeof NodeExecutionEventSchema>>;
type TaskEventInit = Init<MessageInitShape<typeof TaskExecutionEventSchema>>;

/**
 * One execution's events. Node and task events are held until `flush`, then sent in order per node (or task
 * attempt) and concurrently across nodes; `flush` waits for all of them, and the engine flushes before it saves the
 * state the events describe, so a crash can only cause events to be sent again (admin answers ALREADY_EXISTS),
 * never lost. Workflow events wait for everything before them.
 *
 * Holding them until the round ends keeps admin's work off the round's path: with admin in the same process (the
 * demo), sending at once had it record a finished task while the round was starting the next one.
 */
export class EventRecorder {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private held: { key: string; send: () => Promise<EventOutcome> }[] = [];

  constructor(
    private readonly api: AdminApi,
    private readonly producerId: string,
    private readonly stopped: AbortSignal,
  ) {}

  /** Resolves once every event sent so far is accepted; rejects if admin refused one. */
  async flush(): Promise<void> {
    const held = this.held;
    this.held = [];
    for (const { key, send } of held) this.ordered(key, send);
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private hold(key: string, send: () => Promise<EventOutcome>): void {
    this.held.push({ key, send });
  }

  /** Sends `send` after the previous event of the same entity. */
  private ordered(key: string, send: () => Promise<EventOutcome>): void {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(send);
    this.chains.set(key, next);
    this.inflight.add(next);
    next
      .catch(() => undefined)
      .finally(() => {
        this.inflight.delete(next);
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
  }

  async workflow(
    event: Omit<WorkflowEventInit, "producerId" | "occurredAt">,
    occurredAt = new Date(),
  ): Promise<EventOutcome> {
    await this.flush();
    const message = create(WorkflowExecutionEventSchema, {
      ...event,
      producerId: this.producerId,
      occurredAt: timestamp(occurredAt),
    });
    truncateError(message.outputResult);
    return this.send("workflow", () => this.api.admin.createWorkflowEvent({ event: message }));
  }

  node(event: Omit<NodeEventInit, "producerId" | "occurredAt">, occurredAt = new Date()): void {
    const message: NodeExecutionEvent = create(NodeExecutionEventSchema, {
      ...event,
      producerId: this.producerId,
      occurredAt: timestamp(occurredAt),
      reportedAt: timestamp(new Date()),
    });
    truncateError(message.outputResult);
    this.hold(`node/${message.id?.nodeId}`, () =>
      this.send("node", () => this.api.admin.createNodeEvent({ event: message })),
    );
  }

  task(event: Omit<TaskEventInit, "producerId" | "occurredAt">, occurredAt = new Date()): void {
    const message = create(TaskExecutionEventSchema, {
      ...event,
      producerId: this.producerId,
      occurredAt: timestamp(occurredAt),
      reportedAt: timestamp(new Date()),
    });
    truncateError(message.outputResult);
    // A node's task events follow its node events: admin needs the node before a task event names it.
    this.hold(`node/${message.parentNodeExecutionId?.nodeId}`, () =>
      this.send("task", () => this.api.admin.createTaskEvent({ event: message })),
    );
  }

  private async send(what: string, call: () => Promise<unknown>): Promise<EventOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        await call();
        return "recorded";
      } catch (error) {
        const outcome = classify(what, error);
        if (outcome !== "retry") return outcome;
        if (this.stopped.aborted) throw new Error(`engine stopped while sending a ${what} event`);
        await sleep(Math.min(50 * 2 ** attempt, 5_000), this.stopped);
      }
    }
  }
}

function classify(what: string, error: unknown): EventOutcome | "retry" {
  const connectError = ConnectError.from(error);
  if (connectError.code === Code.AlreadyExists) return "duplicate";
  if (connectError.code === Code.FailedPrecondition) {
    const [reason] = connectError.findDetails(EventFailureReasonSchema);
    if (reason?.reason.case === "alreadyInTerminalState") return "terminal";
  }
  if (RETRYABLE.has(connectError.code)) return "retry";
  throw new EventRejectedError(what, connectError.code, connectError.rawMessage);
}

function truncateError(result: { case?: string; value?: unknown }): void {
  if (result.case !== "error") return;
  const error = result.value as { message: string };
  const bytes = Buffer.from(error.message);
  if (bytes.length > MAX_ERROR_MESSAGE_BYTES) error.message = bytes.subarray(0, MAX_ERROR_MESSAGE_BYTES).toString();
}

export function timestamp(date: Date) {
  const ms = date.getTime();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
