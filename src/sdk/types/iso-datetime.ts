// ISO-8601 text <-> Date. A time without an offset is read as UTC, as Flyte treats naive datetimes;
// a date alone is midnight UTC. Precision is JavaScript's: milliseconds (further digits are dropped).
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

export function parseIsoDatetime(text: string): Date | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // setUTC* roll over (Feb 30 -> Mar 2); a valid date reads back as written.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offsetMinutes = m[9] ? (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/** Python's `datetime.isoformat()` of an aware UTC datetime, which is what mashumaro writes. */
export function pythonIsoformat(date: Date): string {
  const ms = date.getUTCMilliseconds();
  const fraction = ms === 0 ? "" : `.${String(ms).padStart(3, "0")}000`;
  return `${date.toISOString().slice(0, 19)}${fraction}+00:00`;
}
