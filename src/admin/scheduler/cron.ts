// When schedules fire, in UTC: cron expressions as robfig/cron's standard parser reads them (what
// flytescheduler uses: five fields or a descriptor) and fixed rates. Times have second precision,
// as in robfig/cron, so an execution's scheduled time is a whole second.

export class CronError extends Error {
  override name = "CronError";
}

/** A schedule's firing times: `next(after)` is the first one strictly after `after`. */
export interface Schedule {
  /** undefined when the schedule never fires again (robfig/cron gives up after five years too). */
  next(after: Date): Date | undefined;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MINUTE = 60_000;
const SECOND = 1000;
const SEARCH_YEARS = 5;

interface ParsedField {
  values: Set<number>;
  /** Began with `*` or `?` and no step > 1: robfig/cron then ANDs the two day fields instead of ORing them. */
  star: boolean;
}

function parseNumber(text: string, field: Field, expr: string): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) throw new CronError(`failed to parse ${field.name} value "${text}" in "${expr}"`);
  return Number(text);
}

/** One comma-separated part: `*`, `N`, `N-M`, each optionally `/step` (`N/step` means N to the maximum). */
function parseRange(part: string, field: Field, expr: string, into: Set<number>): boolean {
  const slashes = part.split("/");
  if (slashes.length > 2) throw new CronError(`too many slashes in ${field.name} "${part}" of "${expr}"`);
  const bounds = slashes[0].split("-");
  if (bounds.length > 2) throw new CronError(`too many hyphens in ${field.name} "${part}" of "${expr}"`);
  let star = false;
  let start: number;
  let end: number;
  if (bounds[0] === "*" || bounds[0] === "?") {
    if (bounds.length > 1) throw new CronError(`failed to parse ${field.name} "${part}" in "${expr}"`);
    star = true;
    start = field.min;
    end = field.max;
  } else {
    start = parseNumber(bounds[0], field, expr);
    end = bounds.length === 2 ? parseNumber(bounds[1], field, expr) : start;
  }
  let step = 1;
  if (slashes.length === 2) {
    if (!/^\d+$/.test(slashes[1])) throw new CronError(`failed to parse step "${slashes[1]}" in "${expr}"`);
    step = Number(slashes[1]);
    if (bounds.length === 1) end = field.max;
    if (step > 1) star = false;
  }
  if (start < field.min) {
    throw new CronError(`beginning of ${field.name} range (${start}) below minimum (${field.min}) in "${expr}"`);
  }
  if (end > field.max) {
    throw new CronError(`end of ${field.name} range (${end}) above maximum (${field.max}) in "${expr}"`);
  }
  if (start > end) {
    throw new CronError(`beginning of ${field.name} range (${start}) beyond end of range (${end}) in "${expr}"`);
  }
  if (step === 0) throw new CronError(`step of ${field.name} range should be a positive number in "${expr}"`);
  for (let value = start; value <= end; value += step) into.add(value);
  return star;
}

function parseField(text: string, field: Field, expr: string): ParsedField {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(",")) {
    if (part === "") throw new CronError(`empty ${field.name} list item in "${expr}"`);
    star = parseRange(part, field, expr, values) || star;
  }
  return { values, star };
}

/** robfig/cron's `@every <duration>`: a Go duration, at least one second, truncated to whole seconds. */
function parseEvery(text: string, expr: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: SECOND, m: MINUTE, h: 60 * MINUTE };
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let consumed = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    ms += Number(match[1]) * units[match[2]];
    consumed = pattern.lastIndex;
  }
  if (text === "" || consumed !== text.length) throw new CronError(`failed to parse duration "${text}" in "${expr}"`);
  const whole = Math.floor(ms / SECOND) * SECOND;
  return Math.max(whole, SECOND);
}

/** Parses a cron expression (five fields, a descriptor such as `@daily`, or `@every 1h30m`). */
export function parseCron(expression: string): Schedule {
  const expr = expression.trim();
  if (expr.startsWith("@every ")) return fixedDelay(parseEvery(expr.slice("@every ".length).trim(), expr));
  if (expr.startsWith("@")) {
    const standard = DESCRIPTORS[expr.toLowerCase()];
    if (standard === undefined) throw new CronError(`unrecognized descriptor "${expr}"`);
    return parseCron(standard);
  }
  const texts = expr === "" ? [] : expr.split(/\s+/);
  if (texts.length !== FIELDS.length) {
    throw new CronError(
      `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${texts.length}: "${expr}"`,
    );
  }
  const [minute, hour, dom, month, dow] = texts.map((text, i) => parseField(text, FIELDS[i], expr));
  const dayMatches = (date: Date) => {
    const inMonth = dom.values.has(date.getUTCDate());
    const inWeek = dow.values.has(date.getUTCDay());
    return dom.star || dow.star ? inMonth && inWeek : inMonth || inWeek;
  };
  return {
    next(after) {
      // The first whole minute strictly after `after`, then skip by the coarsest field that misses.
      let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
      const limit = Date.UTC(after.getUTCFullYear() + SEARCH_YEARS, 0, 1);
      while (t < limit) {
        const d = new Date(t);
        if (!month.values.has(d.getUTCMonth() + 1)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        } else if (!dayMatches(d)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
        } else if (!hour.values.has(d.getUTCHours())) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
        } else if (!minute.values.has(d.getUTCMinutes())) {
          t += MINUTE;
        } else {
          return d;
        }
      }
      return undefined;
    },
  };
}

/** robfig/cron's ConstantDelaySchedule: `after` rounded down to the second, plus the delay. */
export function fixedDelay(delayMs: number): Schedule {
  return { next: (after) => new Date(Math.floor(after.getTime() / SECOND) * SECOND + delayMs) };
}

/** admin.FixedRateUnit: MINUTE 0, HOUR 1, DAY 2. */
const RATE_UNITS = [MINUTE, 60 * MINUTE, 24 * 60 * MINUTE];

/** A FixedRate schedule; flytescheduler rejects unknown units, and a zero rate is no schedule. */
export function fixedRate(value: number, unit: number): Schedule {
  const unitMs = RATE_UNITS[unit];
  if (unitMs === undefined) throw new CronError(`unsupported unit ${unit} for fixed rate scheduling`);
  if (!Number.isInteger(value) || value <= 0)
    throw new CronError(`fixed rate must be a positive integer, got ${value}`);
  return fixedDelay(value * unitMs);
}
