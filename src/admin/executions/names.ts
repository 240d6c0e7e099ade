// Execution names: flyteadmin's generated form and its check of caller-chosen names.
import { randomInt } from "node:crypto";
import { invalidArgument } from "./errors.js";

// k8s rand.String's alphabet (no vowels, no confusable digits), which flyteadmin uses.
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const NAME_PATTERN = /^[a-z][a-z\-0-9]*$/;
const MAX_NAME_LENGTH = 63;

/** "a" + 19 random characters: 20 characters that are a valid k8s object name. */
export function generateExecutionName(): string {
  let name = "a";
  for (let i = 0; i < 19; i++) name += ALPHABET[randomInt(ALPHABET.length)];
  return name;
}

/** flyteadmin's CheckValidExecutionID, applied to the lower-cased name as flyteadmin does. */
export function checkExecutionName(name: string): void {
  const lower = name.toLowerCase();
  if (lower.length > MAX_NAME_LENGTH || name.length > MAX_NAME_LENGTH) {
    throw invalidArgument(`size of name exceeded length ${MAX_NAME_LENGTH} : ${name}`);
  }
  if (!NAME_PATTERN.test(lower)) {
    throw invalidArgument(`invalid name format. ${lower} does not match regex '${NAME_PATTERN.source}'`);
  }
}
