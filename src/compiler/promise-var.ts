// The variable of an output reference (Flyte's typing.ParseVarName): `o0`, or `[3].o0` for an
// element of a list output. Flyte matches `(\[(\d+)\]\.)?(\w+)` everywhere in the text and requires
// exactly one match, so `a.b` and `my-var` are refused while trailing junk after one match is not.

const VAR = /(\[(\d+)\]\.)?(\w+)/g;

export interface ParsedVar {
  name: string;
  index?: number;
}

export function parseVarName(text: string): ParsedVar | { error: string } {
  const matches = [...text.matchAll(VAR)];
  if (matches.length !== 1) {
    return {
      error:
        matches.length === 0
          ? "An output reference names a variable (letters, digits, _), optionally preceded by [<index>]."
          : `It reads as ${matches.length} variable names (${matches.map((m) => m[0]).join(", ")}); an output reference names one variable (letters, digits, _), optionally preceded by [<index>].`,
    };
  }
  const [, , index, name] = matches[0];
  if (index === undefined) return { name };
  const n = Number(index);
  if (!Number.isSafeInteger(n)) return { error: `The index [${index}] is too large.` };
  return { name, index: n };
}
