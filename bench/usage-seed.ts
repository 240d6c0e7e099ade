// Bulk data for the usage query's budget: executions of one project (the worst case: every execution is in the
// project a query asks about), 10 node executions each, a task execution per node that was not a cache hit.
// Written with INSERT ... SELECT generate_series in batches, never through the API: admin's triggers fill
// execution_usage as they do for events. Values come from the row number, so every run seeds the same data.
import type { Queryable } from "../src/db/index.js";

export const SEED_PROJECT = "usage-bench";
export const SEED_DOMAINS = ["development", "production"];
/** Workflows per domain, each with one launch plan of the same name. */
export const SEED_WORKFLOWS = 20;
export const SEED_DAYS = 30;
export const NODES_PER_EXECUTION = 10;
const BATCH = 20_000;

export interface SeedOptions {
  executions: number;
  /** Creation times fall in the SEED_DAYS days before this. */
  now: Date;
  progress?: (done: number) => void;
}

export async function seedUsage(db: Queryable, { executions, now, progress }: SeedOptions): Promise<void> {
  await db.query("INSERT INTO projects (identifier, name) VALUES ($1, $1) ON CONFLICT DO NOTHING", [SEED_PROJECT]);
  await db.query(
    `INSERT INTO workflows (project, domain, name, version, typed_interface, digest, closure)
     SELECT $1, d, 'wf_' || lpad(i::text, 2, '0'), 'v1', '\\x', '\\x', '\\x'
     FROM generate_series(0, $3 - 1) i, unnest($2::text[]) d`,
    [SEED_PROJECT, SEED_DOMAINS, SEED_WORKFLOWS],
  );
  await db.query(
    `INSERT INTO launch_plans (project, domain, name, version, workflow_id, spec, closure, digest)
     SELECT project, domain, name, version, id, '\\x', '\\x', '\\x' FROM workflows WHERE project = $1`,
    [SEED_PROJECT],
  );
  for (let from = 1; from <= executions; from += BATCH) {
    const to = Math.min(executions, from + BATCH - 1);
    await db.transaction(async (tx) => {
      // This batch's executions are the ones after the newest before it (ids are serial, one writer).
      const [{ last }] = await tx.query<{ last: number }>("SELECT COALESCE(max(id), 0) AS last FROM executions");
      // 80% succeeded, 10% failed, 5% aborted, 5% running (no duration yet); durations 1 s to 10 min.
      await tx.query(
        `WITH lp AS (
           SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, workflow_id, project, domain
           FROM launch_plans WHERE project = $1
         )
         INSERT INTO executions (project, domain, name, launch_plan_id, workflow_id, launch_entity, phase, spec,
           closure, created_at, started_at, updated_at, duration_ns)
         SELECT lp.project, lp.domain, 'e' || g, lp.id, lp.workflow_id, 'launch_plan', p.phase, '\\x', '\\x', c.at,
           c.at, c.at, CASE WHEN p.phase = 'RUNNING' THEN NULL ELSE ((g * 7919) % 599000 + 1000)::bigint * 1000000 END
         FROM generate_series($2::bigint, $3::bigint) g
         JOIN lp ON lp.k = (g * 31) % $4
         CROSS JOIN LATERAL (SELECT CASE WHEN g % 20 < 16 THEN 'SUCCEEDED' WHEN g % 20 < 18 THEN 'FAILED'
           WHEN g % 20 = 18 THEN 'ABORTED' ELSE 'RUNNING' END AS phase) p
         CROSS JOIN LATERAL (SELECT $5::timestamptz - ((g * 104729) % ($6 * 86400)) * interval '1 second' AS at) c`,
        [SEED_PROJECT, from, to, SEED_WORKFLOWS * SEED_DOMAINS.length, now, SEED_DAYS],
      );
      // Nodes n5..n9 are cached: a third of them hit, the others populate the cache.
      await tx.query(
        `INSERT INTO node_executions (execution_id, node_id, phase, closure, created_at, updated_at, occurred_at,
           duration_ns, cache_status)
         SELECT e.id, 'n' || k, 'SUCCEEDED', '\\x', e.created_at, e.created_at, e.created_at, 1000000000,
           CASE WHEN k < 5 THEN NULL WHEN (e.id + k) % 3 = 0 THEN 'CACHE_HIT' ELSE 'CACHE_POPULATED' END
         FROM executions e, generate_series(0, $2 - 1) k
         WHERE e.id > $1`,
        [last, NODES_PER_EXECUTION],
      );
      // What the local plugin measures (0.1-3 CPU s, 100-600 MB) and what the task requests (0.5-2 CPU, 1 GiB).
      await tx.query(
        `INSERT INTO task_executions (node_execution_id, execution_id, task_project, task_domain, task_name,
           task_version, retry_attempt, phase, closure, created_at, updated_at, occurred_at, duration_ns,
           cpu_seconds, max_rss_bytes, wall_seconds, memory_gb_seconds, requested_cpu, requested_memory_bytes)
         SELECT n.id, n.execution_id, $1, e.domain, 't_' || n.node_id, 'v1', 0, 'SUCCEEDED', '\\x', n.created_at,
           n.created_at, n.created_at, 1000000000, u.cpu, u.rss, 1.0, u.rss / 1073741824.0, 0.5 * (1 + n.id % 4),
           1073741824
         FROM node_executions n
         JOIN executions e ON e.id = n.execution_id
         CROSS JOIN LATERAL (SELECT 0.1 + (n.id % 29) / 10.0 AS cpu, (100 + n.id % 500) * 1000000 AS rss) u
         WHERE n.execution_id > $2 AND n.cache_status IS DISTINCT FROM 'CACHE_HIT'`,
        [SEED_PROJECT, last],
      );
    });
    progress?.(to);
  }
}
