/** A mistake in how a command was called: printed without a stack, with usage help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
