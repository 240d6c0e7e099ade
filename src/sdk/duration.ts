/** A duration as users write it: milliseconds, or text such as "250ms", "90s", "1h30m", "PT1H". */
export type DurationInput = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in a duration; `what` names the setting in the error message. */
export function toMillis(input: DurationInput, what: string): number {
  if (typeof input === "number" && Number.isFinite(input) && input >= 0) return input;
  if (typeof input === "string") {
    const ms = parseDurationText(input.trim());
    if (ms !== undefined) return ms;
  }
  throw new Error(
    `${what}: cannot read ${JSON.stringify(input)} as a duration; use milliseconds or text like "90s", "10m", "1h30m"`,
  );
}

function parseDurationText(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (iso && text !== "P" && text !== "PT") {
    const [, d = "0", h = "0", m = "0", s = "0"] = iso;
    return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}
