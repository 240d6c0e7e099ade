/** Thrown by a task to say retrying cannot help: the SDK and the engine skip its retries. */
export class NonRecoverableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NonRecoverableError";
  }
}

/** A task attempt failed: names the task, the node path and the attempt; `cause` is the user's error. */
export class TaskFailure extends Error {
  constructor(
    readonly taskName: string,
    readonly nodePath: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`task ${taskName} (node ${nodePath}) failed after ${attempts} attempt(s): ${reason}`);
    this.name = "TaskFailure";
  }
}

/** A workflow-level failure that is not a task's exception (bad input, failed branch, map below threshold). */
export class WorkflowFailure extends Error {
  constructor(
    message: string,
    readonly nodePath: string,
  ) {
    super(message);
    this.name = "WorkflowFailure";
  }
}

export class TaskTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = "TaskTimeout";
  }
}
