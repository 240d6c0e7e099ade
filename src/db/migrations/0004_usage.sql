-- The usage query (src/admin/usage, docs/admin.md "Usage"): executions, cache hits and compute per project,
-- domain, workflow, launch plan and time window.
--
-- Why rollups maintained by triggers: the query must answer in under 200 ms over 100,000 executions and
-- 1,000,000 node executions on PGlite too, and a plain aggregate over 100,000 execution rows alone takes
-- 120-300 ms there (bench/usage.ts, docs/benchmarks.md), before joining node and task executions. So:
-- * execution_usage: one row per execution with what the query needs (scope, creation time, phase, duration,
--   and the sums over its node and task executions), kept current by statement-level triggers on executions,
--   node_executions and task_executions, so every writer (events, CreateExecution, relaunch, recovery, bulk
--   loads) keeps it right without knowing about it;
-- * usage_daily: execution_usage summed per (project, domain, workflow, launch plan, UTC day), with the
--   durations as a log histogram (8 buckets per doubling, a small JSON object), kept current by triggers on
--   execution_usage. A query reads whole days from these (a few rows per workflow and day) and only the partial
--   first and last days from execution_usage, so its cost follows the number of workflows and days, not of
--   executions. Percentiles come from the histogram: within 9% of the nearest-rank value.
-- Statement-level triggers with transition tables cost one aggregate per statement, so bulk INSERT ... SELECT
-- stays fast. All writers of executions run at READ COMMITTED, so concurrent executions of one workflow on one
-- day wait briefly for the day's row; they never fail on it.

-- Compute of one task attempt, copied by admin out of the terminal task event's custom_info ("usage", measured
-- by the engine's local plugin from the task's processes) and from the registered task's container resources.
ALTER TABLE task_executions
  ADD COLUMN cpu_seconds            double precision,  -- user + system CPU of the attempt's processes
  ADD COLUMN max_rss_bytes          bigint,            -- peak resident memory of its largest process
  ADD COLUMN wall_seconds           double precision,  -- how long its processes ran
  ADD COLUMN memory_gb_seconds      double precision,  -- Σ max RSS (GiB) × wall seconds over its processes
  ADD COLUMN requested_cpu          double precision,  -- CPU cores requested (request, else limit)
  ADD COLUMN requested_memory_bytes bigint;            -- memory requested (request, else limit)

CREATE TABLE execution_usage (
  execution_id                bigint PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
  project                     text NOT NULL,
  domain                      text NOT NULL,
  workflow                    text NOT NULL DEFAULT '',     -- the workflow's name (any version)
  launch_plan                 text NOT NULL DEFAULT '',     -- the launch plan's name; '' for single tasks
  created_at                  timestamptz NOT NULL,         -- the execution's; what time windows select on
  phase                       text NOT NULL,
  duration_ns                 bigint,
  -- Over the execution's node executions: those whose cache was looked up, and the hits among them.
  cache_lookups               integer NOT NULL DEFAULT 0,
  cache_hits                  integer NOT NULL DEFAULT 0,
  -- Over its task executions (attempts).
  task_attempts               integer NOT NULL DEFAULT 0,
  measured_attempts           integer NOT NULL DEFAULT 0,   -- attempts that reported measured usage
  cpu_seconds                 double precision NOT NULL DEFAULT 0,
  memory_gb_seconds           double precision NOT NULL DEFAULT 0,
  requested_cpu_seconds       double precision NOT NULL DEFAULT 0, -- Σ requested cores × attempt duration
  requested_memory_gb_seconds double precision NOT NULL DEFAULT 0  -- Σ requested GiB × attempt duration
);
-- The partial first and last days of a window, in a project or one of its domains.
CREATE INDEX execution_usage_by_project ON execution_usage (project, created_at);
CREATE INDEX execution_usage_by_domain ON execution_usage (project, domain, created_at);

-- Executions: a row per new execution, named by its workflow and launch plan; phase and duration follow.
CREATE FUNCTION execution_usage_insert_executions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO execution_usage (execution_id, project, domain, workflow, launch_plan, created_at, phase, duration_ns)
  SELECT n.id, n.project, n.domain, COALESCE(w.name, ''), COALESCE(lp.name, ''), n.created_at, n.phase, n.duration_ns
  FROM new_rows n
  LEFT JOIN workflows w ON w.id = n.workflow_id
  LEFT JOIN launch_plans lp ON lp.id = n.launch_plan_id;
  RETURN NULL;
END $$;

CREATE FUNCTION execution_usage_update_executions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE execution_usage u SET phase = n.phase, duration_ns = n.duration_ns
  FROM new_rows n
  WHERE u.execution_id = n.id AND (u.phase <> n.phase OR u.duration_ns IS DISTINCT FROM n.duration_ns);
  RETURN NULL;
END $$;

CREATE TRIGGER execution_usage_insert AFTER INSERT ON executions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION execution_usage_insert_executions();
CREATE TRIGGER execution_usage_update AFTER UPDATE ON executions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION execution_usage_update_executions();

-- Node executions: the statuses that mean the cache was consulted (a skipped or disabled cache was not).
CREATE FUNCTION usage_cache_lookup(status text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN status IN ('CACHE_HIT', 'CACHE_MISS', 'CACHE_POPULATED', 'CACHE_LOOKUP_FAILURE',
    'CACHE_PUT_FAILURE') THEN 1 ELSE 0 END
$$;

CREATE FUNCTION execution_usage_insert_nodes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE execution_usage u SET cache_lookups = u.cache_lookups + d.lookups, cache_hits = u.cache_hits + d.hits
  FROM (
    SELECT execution_id, sum(usage_cache_lookup(cache_status)) AS lookups,
      count(*) FILTER (WHERE cache_status = 'CACHE_HIT') AS hits
    FROM new_rows WHERE cache_status IS NOT NULL GROUP BY execution_id
  ) d
  WHERE u.execution_id = d.execution_id AND d.lookups > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION execution_usage_update_nodes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE execution_usage u SET cache_lookups = u.cache_lookups + d.lookups, cache_hits = u.cache_hits + d.hits
  FROM (
    SELECT n.execution_id,
      sum(usage_cache_lookup(n.cache_status) - usage_cache_lookup(o.cache_status)) AS lookups,
      sum((n.cache_status IS NOT DISTINCT FROM 'CACHE_HIT')::int - (o.cache_status IS NOT DISTINCT FROM 'CACHE_HIT')::int) AS hits
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.cache_status IS DISTINCT FROM o.cache_status
    GROUP BY n.execution_id
  ) d
  WHERE u.execution_id = d.execution_id;
  RETURN NULL;
END $$;

CREATE TRIGGER execution_usage_insert AFTER INSERT ON node_executions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION execution_usage_insert_nodes();
CREATE TRIGGER execution_usage_update AFTER UPDATE ON node_executions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION execution_usage_update_nodes();

-- How long an attempt ran: its duration once terminal; a RETRYABLE_FAILED attempt, which admin leaves without a
-- duration, ran until its last update.
CREATE FUNCTION usage_attempt_seconds(phase text, duration_ns bigint, started_at timestamptz, updated_at timestamptz)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(duration_ns / 1e9,
    CASE WHEN phase = 'RETRYABLE_FAILED' THEN extract(epoch FROM updated_at - started_at)::float8 END)
$$;

-- Task executions: what their attempts add to the execution's sums; an update adds the new rows' share and
-- takes back the old rows'.
CREATE FUNCTION execution_usage_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'UPDATE execution_usage u SET
       task_attempts = u.task_attempts + d.attempts,
       measured_attempts = u.measured_attempts + d.measured,
       cpu_seconds = u.cpu_seconds + d.cpu,
       memory_gb_seconds = u.memory_gb_seconds + d.memory,
       requested_cpu_seconds = u.requested_cpu_seconds + d.requested_cpu,
       requested_memory_gb_seconds = u.requested_memory_gb_seconds + d.requested_memory
     FROM (
       SELECT execution_id, sum(sign) AS attempts, sum(sign * (cpu_seconds IS NOT NULL)::int) AS measured,
         COALESCE(sum(sign * cpu_seconds), 0) AS cpu,
         COALESCE(sum(sign * memory_gb_seconds), 0) AS memory,
         COALESCE(sum(sign * requested_cpu * seconds), 0) AS requested_cpu,
         COALESCE(sum(sign * requested_memory_bytes / 1073741824.0 * seconds), 0) AS requested_memory
       FROM (
         SELECT *, usage_attempt_seconds(phase, duration_ns, started_at, updated_at) AS seconds FROM (%s) rows
       ) changes GROUP BY execution_id
     ) d
     WHERE u.execution_id = d.execution_id',
    CASE TG_OP
      WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
      ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
    END);
  RETURN NULL;
END $$;

CREATE TRIGGER execution_usage_insert AFTER INSERT ON task_executions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION execution_usage_tasks();
CREATE TRIGGER execution_usage_update AFTER UPDATE ON task_executions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION execution_usage_tasks();

-- execution_usage summed per UTC day of creation. The primary key serves a project, a domain and a workflow.
CREATE TABLE usage_daily (
  project                     text NOT NULL,
  domain                      text NOT NULL,
  workflow                    text NOT NULL,
  launch_plan                 text NOT NULL,
  day                         date NOT NULL,
  executions                  integer NOT NULL DEFAULT 0,
  undefined                   integer NOT NULL DEFAULT 0,  -- executions per phase
  queued                      integer NOT NULL DEFAULT 0,
  running                     integer NOT NULL DEFAULT 0,
  succeeding                  integer NOT NULL DEFAULT 0,
  succeeded                   integer NOT NULL DEFAULT 0,
  failing                     integer NOT NULL DEFAULT 0,
  failed                      integer NOT NULL DEFAULT 0,
  aborted                     integer NOT NULL DEFAULT 0,
  timed_out                   integer NOT NULL DEFAULT 0,
  aborting                    integer NOT NULL DEFAULT 0,
  duration_seconds            double precision NOT NULL DEFAULT 0, -- Σ over executions that ended
  cache_lookups               integer NOT NULL DEFAULT 0,
  cache_hits                  integer NOT NULL DEFAULT 0,
  task_attempts               integer NOT NULL DEFAULT 0,
  measured_attempts           integer NOT NULL DEFAULT 0,
  cpu_seconds                 double precision NOT NULL DEFAULT 0,
  memory_gb_seconds           double precision NOT NULL DEFAULT 0,
  requested_cpu_seconds       double precision NOT NULL DEFAULT 0,
  requested_memory_gb_seconds double precision NOT NULL DEFAULT 0,
  -- Executions that ended, per duration bucket (usage_duration_bucket): {"<bucket>": count}.
  durations                   jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (project, domain, workflow, launch_plan, day)
);

-- Bucket b holds durations from 2^(b/8) to 2^((b+1)/8) milliseconds (b = 0 also holds shorter ones): eight
-- buckets per doubling, so a value read back from its bucket is within 9% of the true one.
-- src/admin/usage/histogram.ts reads them back.
CREATE FUNCTION usage_duration_bucket(duration_ns bigint) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT floor(8 * log(2, greatest(duration_ns / 1e6, 1)))::smallint
$$;

-- Two histograms added bucket by bucket; empty buckets are left out.
CREATE FUNCTION usage_histogram_add(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(jsonb_object_agg(key, total) FILTER (WHERE total <> 0), '{}')
  FROM (
    SELECT key, sum(value::int) AS total
    FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) entries
    GROUP BY key
  ) sums
$$;

-- What changed rows of execution_usage add to their days (an update adds the new rows' share and takes back the
-- old rows'; a delete takes back).
CREATE FUNCTION usage_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changes text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
    ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
  END;
BEGIN
  EXECUTE format(
    'WITH changes AS (
       SELECT (created_at AT TIME ZONE ''UTC'')::date AS day, * FROM (%s) rows
     ),
     buckets AS (
       SELECT project, domain, workflow, launch_plan, day, usage_duration_bucket(duration_ns) AS bucket,
         sum(sign) AS n
       FROM changes WHERE duration_ns IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(sign) <> 0
     ),
     histograms AS (
       SELECT project, domain, workflow, launch_plan, day, jsonb_object_agg(bucket, n) AS durations
       FROM buckets GROUP BY 1, 2, 3, 4, 5
     ),
     sums AS (
       SELECT project, domain, workflow, launch_plan, day, sum(sign) AS executions,
         sum(sign * (phase = ''UNDEFINED'')::int) AS undefined, sum(sign * (phase = ''QUEUED'')::int) AS queued,
         sum(sign * (phase = ''RUNNING'')::int) AS running, sum(sign * (phase = ''SUCCEEDING'')::int) AS succeeding,
         sum(sign * (phase = ''SUCCEEDED'')::int) AS succeeded, sum(sign * (phase = ''FAILING'')::int) AS failing,
         sum(sign * (phase = ''FAILED'')::int) AS failed, sum(sign * (phase = ''ABORTED'')::int) AS aborted,
         sum(sign * (phase = ''TIMED_OUT'')::int) AS timed_out, sum(sign * (phase = ''ABORTING'')::int) AS aborting,
         COALESCE(sum(sign * duration_ns / 1e9), 0) AS duration_seconds, sum(sign * cache_lookups) AS cache_lookups,
         sum(sign * cache_hits) AS cache_hits, sum(sign * task_attempts) AS task_attempts,
         sum(sign * measured_attempts) AS measured_attempts, sum(sign * cpu_seconds) AS cpu_seconds,
         sum(sign * memory_gb_seconds) AS memory_gb_seconds, sum(sign * requested_cpu_seconds) AS requested_cpu_seconds,
         sum(sign * requested_memory_gb_seconds) AS requested_memory_gb_seconds
       FROM changes GROUP BY 1, 2, 3, 4, 5
     )
     INSERT INTO usage_daily AS d (project, domain, workflow, launch_plan, day, executions, undefined, queued,
       running, succeeding, succeeded, failing, failed, aborted, timed_out, aborting, duration_seconds, cache_lookups,
       cache_hits, task_attempts, measured_attempts, cpu_seconds, memory_gb_seconds, requested_cpu_seconds,
       requested_memory_gb_seconds, durations)
     SELECT sums.*, COALESCE(histograms.durations, ''{}'')
     FROM sums LEFT JOIN histograms USING (project, domain, workflow, launch_plan, day)
     ON CONFLICT (project, domain, workflow, launch_plan, day) DO UPDATE SET
       executions = d.executions + EXCLUDED.executions, undefined = d.undefined + EXCLUDED.undefined,
       queued = d.queued + EXCLUDED.queued, running = d.running + EXCLUDED.running,
       succeeding = d.succeeding + EXCLUDED.succeeding, succeeded = d.succeeded + EXCLUDED.succeeded,
       failing = d.failing + EXCLUDED.failing, failed = d.failed + EXCLUDED.failed,
       aborted = d.aborted + EXCLUDED.aborted, timed_out = d.timed_out + EXCLUDED.timed_out,
       aborting = d.aborting + EXCLUDED.aborting, duration_seconds = d.duration_seconds + EXCLUDED.duration_seconds,
       cache_lookups = d.cache_lookups + EXCLUDED.cache_lookups, cache_hits = d.cache_hits + EXCLUDED.cache_hits,
       task_attempts = d.task_attempts + EXCLUDED.task_attempts,
       measured_attempts = d.measured_attempts + EXCLUDED.measured_attempts,
       cpu_seconds = d.cpu_seconds + EXCLUDED.cpu_seconds,
       memory_gb_seconds = d.memory_gb_seconds + EXCLUDED.memory_gb_seconds,
       requested_cpu_seconds = d.requested_cpu_seconds + EXCLUDED.requested_cpu_seconds,
       requested_memory_gb_seconds = d.requested_memory_gb_seconds + EXCLUDED.requested_memory_gb_seconds,
       durations = usage_histogram_add(d.durations, EXCLUDED.durations)',
    changes);
  RETURN NULL;
END $$;

CREATE TRIGGER usage_daily_insert AFTER INSERT ON execution_usage
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_apply();
CREATE TRIGGER usage_daily_update AFTER UPDATE ON execution_usage
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_apply();
CREATE TRIGGER usage_daily_delete AFTER DELETE ON execution_usage
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_apply();

-- What already ran before this migration.
INSERT INTO execution_usage (execution_id, project, domain, workflow, launch_plan, created_at, phase, duration_ns,
  cache_lookups, cache_hits)
SELECT e.id, e.project, e.domain, COALESCE(w.name, ''), COALESCE(lp.name, ''), e.created_at, e.phase, e.duration_ns,
  COALESCE((SELECT sum(usage_cache_lookup(n.cache_status)) FROM node_executions n WHERE n.execution_id = e.id), 0),
  (SELECT count(*) FROM node_executions n WHERE n.execution_id = e.id AND n.cache_status = 'CACHE_HIT')
FROM executions e
LEFT JOIN workflows w ON w.id = e.workflow_id
LEFT JOIN launch_plans lp ON lp.id = e.launch_plan_id;
UPDATE execution_usage u SET task_attempts = t.attempts
FROM (SELECT execution_id, count(*) AS attempts FROM task_executions GROUP BY execution_id) t
WHERE u.execution_id = t.execution_id;
