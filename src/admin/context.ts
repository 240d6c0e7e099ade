import type { Database, Queryable } from "../db/index.js";
import type { BlobStore } from "../storage/index.js";
import type { TerminalEvent } from "./notifications/index.js";

/** Settings every admin service reads. */
export interface AdminConfig {
  /** Domains every project has, in order (Flyte's default: development, staging, production). */
  domains: string[];
  /** The project created on first start (Flyte's sandbox seeds `flytesnacks`). */
  defaultProject: string;
  /** Where clients reach admin (signed blob URLs, console links). */
  publicUrl: string;
  /** Prefix under which admin stores execution inputs and metadata (a URI of the blob store). */
  metadataPrefix: string;
  /** Default prefix for tasks' raw output data. */
  rawOutputPrefix: string;
  /** Most nodes a workflow may have (flyteadmin's registration.maxWorkflowNodes, default 100); 0: no limit. */
  maxWorkflowNodes?: number;
}

export const DEFAULT_DOMAINS = ["development", "staging", "production"];

/** What admin's services share: the metastore, the blob store and the settings. */
/** What `onExecutionChange` hears: which execution, and whether it was asked to terminate. */
export interface ExecutionChange {
  id: { project: string; domain: string; name: string };
  terminating: boolean;
}

export interface AdminContext {
  db: Database;
  store: BlobStore;
  config: AdminConfig;
  /**
   * Called after an execution was created, relaunched, recovered or asked to terminate, with its id. An engine in
   * the same process (the demo) sets it to look at once instead of at its next poll; it still reads everything
   * through the API.
   */
  onExecutionChange?: (change: ExecutionChange) => void;
  /** Outbox topics every accepted event of a kind is also written to, for publishing (src/admin/events-out). */
  eventTopics?: Record<"workflow" | "node" | "task", readonly string[]>;
  /** Writes the notifications a terminal workflow event calls for, in the event's transaction. */
  notify?: (tx: Queryable, event: TerminalEvent) => Promise<void>;
}
