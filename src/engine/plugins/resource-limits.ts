// A task's resource limits applied to its attempt's processes, where this machine lets the engine: through Linux
// control groups (v2, or v1's memory and cpu hierarchies) when their files are writable, as Kubernetes applies a
// pod's limits. Each attempt gets a group of its own; the attempt's first process joins it before it runs the task
// (its children follow), so nothing escapes. Elsewhere (macOS, no rights) limits are recorded but not enforced.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseQuantity, quantityNumber } from "../../compiler/index.js";
import { Resources_ResourceName, type TaskTemplate } from "../../idl/index.js";

/** Memory in bytes and CPU in cores; what is not limited is absent. */
export interface ResourceLimits {
  memoryBytes?: number;
  cpuCores?: number;
}

/** The environment variable naming the files an attempt's process writes its pid to, `:`-separated. */
export const CGROUP_PROCS_ENV = "TSFLYTE_CGROUP_PROCS";

/**
 * A task's limits: its container's limits, else its requests (Flyte sets a missing limit to the request).
 * Quantities the admin accepted always parse; anything else is left unlimited.
 */
export function limitsOf(task: TaskTemplate): ResourceLimits {
  const resources = task.target.case === "container" ? task.target.value.resources : undefined;
  const pick = (name: Resources_ResourceName) => {
    const entry = resources?.limits.find((e) => e.name === name) ?? resources?.requests.find((e) => e.name === name);
    const quantity = entry === undefined ? undefined : parseQuantity(entry.value);
    return quantity === undefined ? undefined : quantityNumber(quantity);
  };
  const limits: ResourceLimits = {};
  const memory = pick(Resources_ResourceName.MEMORY);
  const cpu = pick(Resources_ResourceName.CPU);
  if (memory !== undefined && memory > 0) limits.memoryBytes = Math.round(memory);
  if (cpu !== undefined && cpu > 0) limits.cpuCores = cpu;
  return limits;
}

/** One attempt's group: the files its process joins, and whether the kernel killed it for memory. */
export interface AttemptGroup {
  procsFiles: string[];
  oomKilled(): boolean;
  remove(): void;
}

export interface ResourceLimiter {
  /** How limits are enforced here, for the engine's log. */
  readonly mechanism: string;
  /** Creates the attempt's group with its limits; the attempt's process then joins it (CGROUP_PROCS_ENV). */
  create(key: string, limits: ResourceLimits): AttemptGroup;
  /** The group an earlier engine process created for an attempt, to read and remove it. */
  existing(key: string): AttemptGroup;
}

const CPU_PERIOD_US = 100_000;
const GROUP = "tsflyte";

/** The limiter this machine allows, or a reason why there is none. */
export function detectLimiter(root = "/sys/fs/cgroup"): ResourceLimiter | { unavailable: string } {
  try {
    const controllers = join(root, "cgroup.controllers");
    if (existsSync(controllers)) return cgroupV2(root, readFileSync(controllers, "utf8"));
    if (existsSync(join(root, "memory", "memory.limit_in_bytes"))) return cgroupV1(root);
    return { unavailable: `no control group file system at ${root}` };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

function cgroupV2(root: string, controllers: string): ResourceLimiter {
  const base = join(root, GROUP);
  mkdirSync(base, { recursive: true });
  const wanted = ["memory", "cpu"].filter((c) => controllers.split(/\s+/).includes(c));
  // A group's controllers are only available to its children once its parent enables them.
  for (const dir of [root, base])
    writeFileSync(join(dir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
  const group = (key: string): AttemptGroup => {
    const dir = join(base, key);
    return {
      procsFiles: [join(dir, "cgroup.procs")],
      oomKilled: () => oomKills(join(dir, "memory.events")) > 0,
      remove: () => removeDir(dir),
    };
  };
  return {
    mechanism: `cgroup v2 (${base})`,
    create(key, limits) {
      const dir = join(base, key);
      mkdirSync(dir, { recursive: true });
      if (limits.memoryBytes !== undefined) {
        writeFileSync(join(dir, "memory.max"), String(limits.memoryBytes));
        // Without swap the limit is the limit, as in a pod.
        if (existsSync(join(dir, "memory.swap.max"))) writeFileSync(join(dir, "memory.swap.max"), "0");
      }
      if (limits.cpuCores !== undefined)
        writeFileSync(join(dir, "cpu.max"), `${cpuQuota(limits.cpuCores)} ${CPU_PERIOD_US}`);
      return group(key);
    },
    existing: group,
  };
}

function cgroupV1(root: string): ResourceLimiter {
  const memoryBase = join(root, "memory", GROUP);
  const cpuBase = existsSync(join(root, "cpu", "cpu.cfs_quota_us")) ? join(root, "cpu", GROUP) : undefined;
  mkdirSync(memoryBase, { recursive: true });
  if (cpuBase !== undefined) mkdirSync(cpuBase, { recursive: true });
  const group = (key: string): AttemptGroup => {
    const memoryDir = join(memoryBase, key);
    const cpuDir = cpuBase === undefined ? undefined : join(cpuBase, key);
    return {
      procsFiles: [join(memoryDir, "cgroup.procs"), ...(cpuDir === undefined ? [] : [join(cpuDir, "cgroup.procs")])],
      oomKilled: () => oomKills(join(memoryDir, "memory.oom_control")) > 0,
      remove: () => {
        removeDir(memoryDir);
        if (cpuDir !== undefined) removeDir(cpuDir);
      },
    };
  };
  return {
    mechanism: `cgroup v1 (${memoryBase}${cpuBase === undefined ? "" : `, ${cpuBase}`})`,
    create(key, limits) {
      const attempt = group(key);
      const memoryDir = join(memoryBase, key);
      mkdirSync(memoryDir, { recursive: true });
      if (limits.memoryBytes !== undefined) {
        writeFileSync(join(memoryDir, "memory.limit_in_bytes"), String(limits.memoryBytes));
        const swap = join(memoryDir, "memory.memsw.limit_in_bytes");
        if (existsSync(swap)) writeFileSync(swap, String(limits.memoryBytes));
      }
      if (cpuBase !== undefined) {
        const cpuDir = join(cpuBase, key);
        mkdirSync(cpuDir, { recursive: true });
        if (limits.cpuCores !== undefined) {
          writeFileSync(join(cpuDir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
          writeFileSync(join(cpuDir, "cpu.cfs_quota_us"), String(cpuQuota(limits.cpuCores)));
        }
      }
      return attempt;
    },
    existing: group,
  };
}

/** The kernel's smallest quota is 1 ms per period. */
const cpuQuota = (cores: number) => Math.max(1_000, Math.round(cores * CPU_PERIOD_US));

/** The `oom_kill N` count of a memory controller's events file (v2 memory.events, v1 memory.oom_control). */
function oomKills(path: string): number {
  try {
    return Number(/^oom_kill (\d+)$/m.exec(readFileSync(path, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** A group can only be removed once no process is left in it; one still in use is left for the kernel to keep. */
function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Still in use (a reused worker that has not moved on yet) or gone already.
  }
}
