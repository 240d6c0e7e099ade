import { UsageError } from "./errors.js";

export interface OptionSpec {
  /** Takes a value (`--image X`) rather than being a switch (`--fast`). */
  value: boolean;
  short?: string;
  /** May be given several times; values collect into a list. */
  multiple?: boolean;
}

export interface ParsedArgs {
  options: Record<string, string | boolean | string[]>;
  positionals: string[];
  /** Everything after the positionals' stop point, untouched (entity inputs for `run`). */
  rest: string[];
}

/**
 * Parses `argv` against `specs`. Parsing stops after `stopAfter` positionals so that the
 * rest (e.g. a workflow's own `--x 3` inputs) is left for the command.
 */
export function parseArgs(
  argv: string[],
  specs: Record<string, OptionSpec>,
  stopAfter = Number.POSITIVE_INFINITY,
): ParsedArgs {
  const options: ParsedArgs["options"] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  let i = 0;
  for (; i < argv.length && positionals.length < stopAfter; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      return { options, positionals, rest: [] };
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const name = flag.startsWith("--") ? flag.slice(2) : byShort.get(flag.slice(1));
    const spec = name === undefined ? undefined : specs[name];
    if (!name || !spec) {
      throw new UsageError(
        `unknown option ${flag}; known options: ${Object.keys(specs)
          .map((n) => `--${n}`)
          .join(", ")}`,
      );
    }
    let value: string | boolean = true;
    if (spec.value) {
      value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    }
    if (spec.multiple) options[name] = [...((options[name] as string[]) ?? []), String(value)];
    else options[name] = value;
  }
  return { options, positionals, rest: argv.slice(i) };
}
