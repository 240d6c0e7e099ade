/** Something the user can fix: the message names the problem and what to do. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}
