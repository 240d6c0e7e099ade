// Executions per phase for one project and domain. AdminService has no count RPC and its lists page by token,
// so the console would otherwise have to read every execution to count them; the metastore counts by index.
import type { Database } from "../../db/index.js";

export async function phaseCounts(db: Database, project: string, domain: string): Promise<Record<string, number>> {
  const rows = await db.query<{ phase: string; n: number | string }>(
    "SELECT phase, count(*) AS n FROM executions WHERE project = $1 AND domain = $2 AND state = 0 GROUP BY phase",
    [project, domain],
  );
  return Object.fromEntries(rows.map((row) => [row.phase, Number(row.n)]));
}
