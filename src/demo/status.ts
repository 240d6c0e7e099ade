// What `tsflyte demo status` reports: health, and what the cluster holds (projects, workflows, executions by
// phase), read through admin's public API like any client.
import { existsSync, readFileSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AdminService } from "../idl/gen/flyteidl/service/admin_pb.js";
import { healthy, runningDemo } from "./control.js";
import type { DemoPaths } from "./paths.js";
import type { DemoState } from "./state.js";

export interface DemoCounts {
  projects: number;
  /** Workflow names (not versions), system-generated single-task workflows left out. */
  workflows: number;
  /** Executions by phase name (SUCCEEDED, FAILED, RUNNING, ...) over every project and domain. */
  executions: Record<string, number>;
}

export interface DemoStatus {
  state: DemoState | undefined;
  healthy: boolean;
  /** The cluster process's resident memory in bytes, where /proc tells it. */
  rssBytes: number | undefined;
  counts: DemoCounts | undefined;
}

const PAGE = 1000;

/** Resident set size of `pid` from /proc (Linux); undefined elsewhere. */
export function residentBytes(pid: number): number | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(file, "utf8"))?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

async function counts(url: string): Promise<DemoCounts> {
  const admin = createClient(
    AdminService,
    createConnectTransport({ baseUrl: url, httpVersion: "1.1", useBinaryFormat: true }),
  );
  const { projects } = await admin.listProjects({ limit: PAGE });
  let workflows = 0;
  const executions: Record<string, number> = {};
  for (const project of projects) {
    for (const { id: domain } of project.domains) {
      let token = "";
      do {
        const page = await admin.listWorkflowIds({ project: project.id, domain, limit: PAGE, token });
        workflows += page.entities.filter((e) => !e.name.startsWith(".flytegen.")).length;
        token = page.token;
      } while (token !== "");
      // The console's count route: the metastore counts by phase, no need to page through every execution.
      const query = new URLSearchParams({ project: project.id, domain });
      const response = await fetch(`${url}/console/api/counts?${query}`);
      if (!response.ok) throw new Error(`${url}/console/api/counts answered HTTP ${response.status}`);
      const body = (await response.json()) as { counts: Record<string, number> };
      for (const [phase, n] of Object.entries(body.counts)) executions[phase] = (executions[phase] ?? 0) + n;
    }
  }
  return { projects: projects.length, workflows, executions };
}

export async function demoStatus(paths: DemoPaths): Promise<DemoStatus> {
  const state = runningDemo(paths);
  if (state === undefined) return { state, healthy: false, rssBytes: undefined, counts: undefined };
  const ok = await healthy(state.url);
  return {
    state,
    healthy: ok,
    rssBytes: residentBytes(state.pid),
    counts: ok ? await counts(state.url) : undefined,
  };
}
