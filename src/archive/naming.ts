/** What a registration file holds, as pyflyte numbers it: 1 TaskSpec, 2 WorkflowSpec, 3 LaunchPlan. */
export type EntityKind = 1 | 2 | 3;

/**
 * pyflyte's `<idx>_<name>_<kind>.pb` (flytekit `persist_registrable_entities`). flytectl registers the files of a
 * package in sorted order, so the zero-padded index is what keeps dependencies ahead of their users.
 */
export function entityFileName(index: number, count: number, name: string, kind: EntityKind): string {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`entityFileName: count must be a positive integer, got ${count}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`entityFileName: index ${index} is outside 0..${count - 1}`);
  }
  // A "/" would put the file in a sub-folder (pyflyte fails on it) and break the <name> round trip.
  if (name === "" || name.includes("/")) {
    throw new RangeError(`entityFileName: entity name ${JSON.stringify(name)} must be non-empty and contain no "/"`);
  }
  return `${String(index).padStart(indexWidth(count), "0")}_${name}_${kind}.pb`;
}

/**
 * flytekit computes `math.ceil(math.log(count, 10))`, i.e. ln(count)/ln(10) in doubles; the same formula here keeps
 * its rounding: 1 -> 0 (so "0"), 10 -> 1 digit, 11 -> 2, 100 -> 2, 101 -> 3, 1000 -> 3.
 */
function indexWidth(count: number): number {
  return Math.ceil(Math.log(count) / Math.log(10));
}

const ENTITY_FILE = /^(\d+)_(.+)_([123])\.pb$/;

/** The parts of a base file name written by {@link entityFileName}, or undefined when it is not one. */
export function parseEntityFileName(baseName: string): { index: number; name: string; kind: EntityKind } | undefined {
  const match = ENTITY_FILE.exec(baseName);
  if (!match) return undefined;
  return { index: Number(match[1]), name: match[2], kind: Number(match[3]) as EntityKind };
}

// flytekit's FAST_PREFIX / FAST_FILEENDING; flytectl recognises a code bundle by exactly this prefix and suffix.
const FAST_PREFIX = "fast";
const FAST_SUFFIX = ".tar.gz";

export function fastBundleFileName(digest: string): string {
  return `${FAST_PREFIX}${digest}${FAST_SUFFIX}`;
}

export function isFastBundleName(baseName: string): boolean {
  return baseName.startsWith(FAST_PREFIX) && baseName.endsWith(FAST_SUFFIX);
}
