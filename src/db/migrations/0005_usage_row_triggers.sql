-- The usage rollups of 0004, kept current more cheaply on the path every engine event takes.
--
-- Why: each node or task event updates one row, and 0004's statement-level triggers then built transition
-- tables and planned dynamic SQL twice (the row's execution, then its day): about 2 ms of PGlite per event,
-- a third of admin's cost (bench/admin-events.ts, docs/benchmarks.md). So updates are now followed row by row,
-- with static SQL whose plans PL/pgSQL keeps, and skipped outright when nothing counted changed (WHEN). Inserts
-- keep their statement-level triggers, which a bulk INSERT ... SELECT needs; deletes of execution_usage too.

DROP TRIGGER execution_usage_update ON executions;
DROP TRIGGER execution_usage_update ON node_executions;
DROP TRIGGER execution_usage_update ON task_executions;
DROP TRIGGER usage_daily_update ON execution_usage;
DROP FUNCTION execution_usage_update_executions();
DROP FUNCTION execution_usage_update_nodes();

-- Task executions' inserts (a node's first attempt event, or a bulk load): 0004's function served updates too,
-- so it planned dynamic SQL every time; inserts alone need none.
CREATE OR REPLACE FUNCTION execution_usage_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE execution_usage u SET
    task_attempts = u.task_attempts + d.attempts,
    measured_attempts = u.measured_attempts + d.measured,
    cpu_seconds = u.cpu_seconds + d.cpu,
    memory_gb_seconds = u.memory_gb_seconds + d.memory,
    requested_cpu_seconds = u.requested_cpu_seconds + d.requested_cpu,
    requested_memory_gb_seconds = u.requested_memory_gb_seconds + d.requested_memory
  FROM (
    SELECT execution_id, count(*) AS attempts, count(cpu_seconds) AS measured,
      COALESCE(sum(cpu_seconds), 0) AS cpu, COALESCE(sum(memory_gb_seconds), 0) AS memory,
      COALESCE(sum(requested_cpu * seconds), 0) AS requested_cpu,
      COALESCE(sum(requested_memory_bytes / 1073741824.0 * seconds), 0) AS requested_memory
    FROM (
      SELECT *, usage_attempt_seconds(phase, duration_ns, started_at, updated_at) AS seconds FROM new_rows
    ) rows
    GROUP BY execution_id
  ) d
  WHERE u.execution_id = d.execution_id;
  RETURN NULL;
END $$;

-- Executions: phase and duration.
CREATE FUNCTION execution_usage_update_execution_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE execution_usage SET phase = NEW.phase, duration_ns = NEW.duration_ns WHERE execution_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER execution_usage_update AFTER UPDATE ON executions FOR EACH ROW
  WHEN (OLD.phase IS DISTINCT FROM NEW.phase OR OLD.duration_ns IS DISTINCT FROM NEW.duration_ns)
  EXECUTE FUNCTION execution_usage_update_execution_row();

-- Node executions: a changed cache status moves the lookup and hit counts.
CREATE FUNCTION execution_usage_update_node_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE execution_usage SET
    cache_lookups = cache_lookups + usage_cache_lookup(NEW.cache_status) - usage_cache_lookup(OLD.cache_status),
    cache_hits = cache_hits + (NEW.cache_status IS NOT DISTINCT FROM 'CACHE_HIT')::int
      - (OLD.cache_status IS NOT DISTINCT FROM 'CACHE_HIT')::int
  WHERE execution_id = NEW.execution_id;
  RETURN NULL;
END $$;

CREATE TRIGGER execution_usage_update AFTER UPDATE ON node_executions FOR EACH ROW
  WHEN (OLD.cache_status IS DISTINCT FROM NEW.cache_status)
  EXECUTE FUNCTION execution_usage_update_node_row();

-- Task executions: the attempt's new share of the sums less its old one (the attempt count stays).
CREATE FUNCTION execution_usage_update_task_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_seconds double precision := usage_attempt_seconds(NEW.phase, NEW.duration_ns, NEW.started_at, NEW.updated_at);
  old_seconds double precision := usage_attempt_seconds(OLD.phase, OLD.duration_ns, OLD.started_at, OLD.updated_at);
BEGIN
  UPDATE execution_usage SET
    measured_attempts = measured_attempts + (NEW.cpu_seconds IS NOT NULL)::int - (OLD.cpu_seconds IS NOT NULL)::int,
    cpu_seconds = cpu_seconds + COALESCE(NEW.cpu_seconds, 0) - COALESCE(OLD.cpu_seconds, 0),
    memory_gb_seconds = memory_gb_seconds + COALESCE(NEW.memory_gb_seconds, 0) - COALESCE(OLD.memory_gb_seconds, 0),
    requested_cpu_seconds = requested_cpu_seconds + COALESCE(NEW.requested_cpu * new_seconds, 0)
      - COALESCE(OLD.requested_cpu * old_seconds, 0),
    requested_memory_gb_seconds = requested_memory_gb_seconds
      + COALESCE(NEW.requested_memory_bytes / 1073741824.0 * new_seconds, 0)
      - COALESCE(OLD.requested_memory_bytes / 1073741824.0 * old_seconds, 0)
  WHERE execution_id = NEW.execution_id;
  RETURN NULL;
END $$;

-- updated_at counts only for a RETRYABLE_FAILED attempt without a duration (usage_attempt_seconds).
CREATE TRIGGER execution_usage_update AFTER UPDATE ON task_executions FOR EACH ROW
  WHEN (OLD.cpu_seconds IS DISTINCT FROM NEW.cpu_seconds
    OR OLD.memory_gb_seconds IS DISTINCT FROM NEW.memory_gb_seconds
    OR OLD.requested_cpu IS DISTINCT FROM NEW.requested_cpu
    OR OLD.requested_memory_bytes IS DISTINCT FROM NEW.requested_memory_bytes
    OR OLD.phase IS DISTINCT FROM NEW.phase
    OR OLD.duration_ns IS DISTINCT FROM NEW.duration_ns
    OR OLD.started_at IS DISTINCT FROM NEW.started_at
    OR (NEW.phase = 'RETRYABLE_FAILED' AND OLD.updated_at IS DISTINCT FROM NEW.updated_at))
  EXECUTE FUNCTION execution_usage_update_task_row();

-- execution_usage: the row's new share of its day less its old one. The day's row exists (the insert made it)
-- and the scope columns are the execution's identity, which never changes.
CREATE FUNCTION usage_daily_update_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.project, OLD.domain, OLD.workflow, OLD.launch_plan, OLD.created_at)
     IS DISTINCT FROM (NEW.project, NEW.domain, NEW.workflow, NEW.launch_plan, NEW.created_at) THEN
    RAISE EXCEPTION 'execution_usage % changed its scope or creation time, which usage_daily cannot follow',
      NEW.execution_id;
  END IF;
  UPDATE usage_daily d SET
    undefined = d.undefined + (NEW.phase = 'UNDEFINED')::int - (OLD.phase = 'UNDEFINED')::int,
    queued = d.queued + (NEW.phase = 'QUEUED')::int - (OLD.phase = 'QUEUED')::int,
    running = d.running + (NEW.phase = 'RUNNING')::int - (OLD.phase = 'RUNNING')::int,
    succeeding = d.succeeding + (NEW.phase = 'SUCCEEDING')::int - (OLD.phase = 'SUCCEEDING')::int,
    succeeded = d.succeeded + (NEW.phase = 'SUCCEEDED')::int - (OLD.phase = 'SUCCEEDED')::int,
    failing = d.failing + (NEW.phase = 'FAILING')::int - (OLD.phase = 'FAILING')::int,
    failed = d.failed + (NEW.phase = 'FAILED')::int - (OLD.phase = 'FAILED')::int,
    aborted = d.aborted + (NEW.phase = 'ABORTED')::int - (OLD.phase = 'ABORTED')::int,
    timed_out = d.timed_out + (NEW.phase = 'TIMED_OUT')::int - (OLD.phase = 'TIMED_OUT')::int,
    aborting = d.aborting + (NEW.phase = 'ABORTING')::int - (OLD.phase = 'ABORTING')::int,
    duration_seconds = d.duration_seconds + COALESCE(NEW.duration_ns / 1e9, 0) - COALESCE(OLD.duration_ns / 1e9, 0),
    cache_lookups = d.cache_lookups + NEW.cache_lookups - OLD.cache_lookups,
    cache_hits = d.cache_hits + NEW.cache_hits - OLD.cache_hits,
    task_attempts = d.task_attempts + NEW.task_attempts - OLD.task_attempts,
    measured_attempts = d.measured_attempts + NEW.measured_attempts - OLD.measured_attempts,
    cpu_seconds = d.cpu_seconds + NEW.cpu_seconds - OLD.cpu_seconds,
    memory_gb_seconds = d.memory_gb_seconds + NEW.memory_gb_seconds - OLD.memory_gb_seconds,
    requested_cpu_seconds = d.requested_cpu_seconds + NEW.requested_cpu_seconds - OLD.requested_cpu_seconds,
    requested_memory_gb_seconds = d.requested_memory_gb_seconds + NEW.requested_memory_gb_seconds
      - OLD.requested_memory_gb_seconds,
    durations = CASE WHEN OLD.duration_ns IS NOT DISTINCT FROM NEW.duration_ns THEN d.durations
      ELSE usage_histogram_add(d.durations, usage_histogram_add(
        CASE WHEN NEW.duration_ns IS NULL THEN '{}'
          ELSE jsonb_build_object(usage_duration_bucket(NEW.duration_ns), 1) END,
        CASE WHEN OLD.duration_ns IS NULL THEN '{}'
          ELSE jsonb_build_object(usage_duration_bucket(OLD.duration_ns), -1) END)) END
  WHERE d.project = NEW.project AND d.domain = NEW.domain AND d.workflow = NEW.workflow
    AND d.launch_plan = NEW.launch_plan AND d.day = (NEW.created_at AT TIME ZONE 'UTC')::date;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_daily_update AFTER UPDATE ON execution_usage FOR EACH ROW
  WHEN (OLD IS DISTINCT FROM NEW)
  EXECUTE FUNCTION usage_daily_update_row();
