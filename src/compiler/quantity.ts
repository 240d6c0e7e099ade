// Kubernetes resource quantities ("500m", "1.5Gi", "2e3"), as k8s.io/apimachinery's ParseQuantity
// accepts them, read as exact fractions so that comparisons never round.

const PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const BINARY: Record<string, bigint> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A quantity as numerator / denominator (denominator > 0). */
export interface Quantity {
  numerator: bigint;
  denominator: bigint;
}

/** The quantity `text` denotes, or undefined when it is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  const match = PATTERN.exec(text);
  if (match === null) return undefined;
  const [whole, fraction = ""] = match[1].replace(/^\+/, "").split(".");
  let numerator = BigInt(`${whole === "" || whole === "-" ? `${whole}0` : whole}${fraction}`);
  let denominator = 10n ** BigInt(fraction.length);
  const suffix = match[2] ?? "";
  let exponent = 0;
  if (suffix in BINARY) numerator *= 1024n ** BINARY[suffix];
  else if (suffix in DECIMAL) exponent = DECIMAL[suffix];
  else if (suffix !== "") exponent = Number(suffix.slice(1));
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return { numerator, denominator };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

export const isWholeQuantity = (q: Quantity) => q.numerator % q.denominator === 0n;

/** The quantity as a (possibly rounded) number: bytes for memory, cores for CPU. */
export const quantityNumber = (q: Quantity) => Number(q.numerator) / Number(q.denominator);
