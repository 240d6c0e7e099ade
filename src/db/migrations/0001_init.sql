-- The admin metastore: what flyteadmin keeps in its database, in our own layout.
--
-- Conventions:
-- * Protobuf messages are stored serialized (binary) in bytea columns (spec, closure, ...); the
--   other columns copy out of them only what lists filter, sort or join on.
-- * Phases are stored by enum name ('RUNNING'), as flyteadmin does, so filters read the same.
-- * Durations are bigint nanoseconds (`duration_ns`), as flyteadmin stores time.Duration.
-- * `org` is carried but, as in OSS flyteadmin, not part of any key.
-- * Domains come from configuration and are not stored.
-- * Every list sorts by created_at by default and pages by offset, hence the
--   (scope..., created_at) indexes.

CREATE TABLE projects (
  identifier  text PRIMARY KEY,
  org         text NOT NULL DEFAULT '',
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  labels      jsonb NOT NULL DEFAULT '{}',        -- admin.Labels.values
  state       smallint NOT NULL DEFAULT 0          -- admin.Project.ProjectState: ACTIVE 0, ARCHIVED 1, SYSTEM_GENERATED 2
              CHECK (state IN (0, 1, 2)),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Registered entities: tasks, workflows, launch plans. Immutable once created except for a
-- launch plan's state.

CREATE TABLE tasks (
  id                bigserial PRIMARY KEY,
  project           text NOT NULL,
  domain            text NOT NULL,
  name              text NOT NULL,
  version           text NOT NULL,
  org               text NOT NULL DEFAULT '',
  type              text NOT NULL,                 -- TaskTemplate.type
  digest            bytea NOT NULL,                -- identity of the content, for idempotent re-registration
  closure           bytea NOT NULL,                -- admin.TaskClosure
  short_description text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tasks_key UNIQUE (project, domain, name, version)
);
CREATE INDEX tasks_by_scope ON tasks (project, domain, created_at);
CREATE INDEX tasks_by_name ON tasks (project, domain, name, created_at);

CREATE TABLE workflows (
  id                        bigserial PRIMARY KEY,
  project                   text NOT NULL,
  domain                    text NOT NULL,
  name                      text NOT NULL,
  version                   text NOT NULL,
  org                       text NOT NULL DEFAULT '',
  typed_interface           bytea NOT NULL,        -- core.TypedInterface of the template, for lists
  digest                    bytea NOT NULL,
  closure                   bytea,                 -- admin.WorkflowClosure, when kept in the database
  remote_closure_identifier text,                  -- blob URI of the closure, when kept in storage
  short_description         text NOT NULL DEFAULT '',
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflows_key UNIQUE (project, domain, name, version),
  CONSTRAINT workflows_closure_somewhere CHECK (closure IS NOT NULL OR remote_closure_identifier IS NOT NULL)
);
CREATE INDEX workflows_by_scope ON workflows (project, domain, created_at);
CREATE INDEX workflows_by_name ON workflows (project, domain, name, created_at);

CREATE TABLE launch_plans (
  id                     bigserial PRIMARY KEY,
  project                text NOT NULL,
  domain                 text NOT NULL,
  name                   text NOT NULL,
  version                text NOT NULL,
  org                    text NOT NULL DEFAULT '',
  workflow_id            bigint NOT NULL REFERENCES workflows (id),
  spec                   bytea NOT NULL,           -- admin.LaunchPlanSpec
  closure                bytea NOT NULL,           -- admin.LaunchPlanClosure (state and times come from columns)
  digest                 bytea NOT NULL,
  state                  smallint NOT NULL DEFAULT 0 -- admin.LaunchPlanState: INACTIVE 0, ACTIVE 1
                         CHECK (state IN (0, 1)),
  -- The schedule, copied out of spec.entity_metadata.schedule for the scheduler.
  schedule_type          text NOT NULL DEFAULT 'NONE' CHECK (schedule_type IN ('NONE', 'CRON', 'RATE')),
  launch_condition_type  text,                     -- 'SCHED' when scheduled, as flyteadmin
  cron_expression        text,                     -- cron_schedule.schedule or the deprecated cron_expression
  cron_offset            text,                     -- cron_schedule.offset
  rate_value             integer,                  -- rate.value
  rate_unit              smallint,                 -- admin.FixedRateUnit: MINUTE 0, HOUR 1, DAY 2
  kickoff_time_input_arg text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT launch_plans_key UNIQUE (project, domain, name, version)
);
-- At most one ACTIVE version per launch plan name, whatever the isolation of the writer; it also
-- serves GetActiveLaunchPlan and ListActiveLaunchPlans.
CREATE UNIQUE INDEX launch_plans_one_active ON launch_plans (project, domain, name) WHERE state = 1;
CREATE INDEX launch_plans_active_schedules ON launch_plans (schedule_type) WHERE state = 1 AND schedule_type <> 'NONE';
CREATE INDEX launch_plans_by_scope ON launch_plans (project, domain, created_at);
CREATE INDEX launch_plans_by_name ON launch_plans (project, domain, name, created_at);
CREATE INDEX launch_plans_by_workflow ON launch_plans (workflow_id);

-- Metadata shared by all versions of a task, workflow or launch plan (NamedEntity). A missing
-- row means description '' and state ACTIVE.
CREATE TABLE named_entity_metadata (
  resource_type smallint NOT NULL CHECK (resource_type IN (1, 2, 3)), -- core.ResourceType: TASK 1, WORKFLOW 2, LAUNCH_PLAN 3
  project       text NOT NULL,
  domain        text NOT NULL,
  name          text NOT NULL,
  org           text NOT NULL DEFAULT '',
  description   text NOT NULL DEFAULT '',
  state         smallint NOT NULL DEFAULT 0        -- admin.NamedEntityState: ACTIVE 0, ARCHIVED 1, SYSTEM_GENERATED 2
                CHECK (state IN (0, 1, 2)),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (resource_type, project, domain, name)
);

-- TaskSpec.description / WorkflowSpec.description of one registered version.
CREATE TABLE description_entities (
  id                bigserial PRIMARY KEY,
  resource_type     smallint NOT NULL CHECK (resource_type IN (1, 2, 3)),
  project           text NOT NULL,
  domain            text NOT NULL,
  name              text NOT NULL,
  version           text NOT NULL,
  org               text NOT NULL DEFAULT '',
  short_description text NOT NULL DEFAULT '',
  description       bytea NOT NULL,              -- admin.DescriptionEntity
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT description_entities_key UNIQUE (resource_type, project, domain, name, version)
);
CREATE INDEX description_entities_by_name ON description_entities (resource_type, project, domain, name, created_at);

-- Matchable attributes (task resources, execution config, cluster assignment...) at project,
-- domain, workflow or launch plan level; '' means "any" for a level not set.
CREATE TABLE resource_attributes (
  id            bigserial PRIMARY KEY,
  resource_type text NOT NULL,                   -- admin.MatchableResource name, e.g. 'TASK_RESOURCE'
  project       text NOT NULL DEFAULT '',
  domain        text NOT NULL DEFAULT '',
  workflow      text NOT NULL DEFAULT '',
  launch_plan   text NOT NULL DEFAULT '',
  org           text NOT NULL DEFAULT '',
  attributes    bytea NOT NULL,                  -- admin.MatchingAttributes
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT resource_attributes_key UNIQUE (resource_type, project, domain, workflow, launch_plan)
);

-- Executions and what happens inside them.

CREATE TABLE executions (
  id                       bigserial PRIMARY KEY,
  project                  text NOT NULL,
  domain                   text NOT NULL,
  name                     text NOT NULL,
  org                      text NOT NULL DEFAULT '',
  launch_plan_id           bigint REFERENCES launch_plans (id),
  workflow_id              bigint REFERENCES workflows (id),
  task_id                  bigint REFERENCES tasks (id),   -- single-task executions
  launch_entity            text NOT NULL CHECK (launch_entity IN ('launch_plan', 'task')),
  mode                     smallint NOT NULL DEFAULT 0,    -- admin.ExecutionMetadata.ExecutionMode
  principal                text NOT NULL DEFAULT '',
  phase                    text NOT NULL DEFAULT 'UNDEFINED' CHECK (phase IN (
                             'UNDEFINED', 'QUEUED', 'RUNNING', 'SUCCEEDING', 'SUCCEEDED', 'FAILING', 'FAILED',
                             'ABORTED', 'TIMED_OUT', 'ABORTING')),
  state                    smallint NOT NULL DEFAULT 0     -- admin.ExecutionState: ACTIVE 0, ARCHIVED 1
                           CHECK (state IN (0, 1)),
  spec                     bytea NOT NULL,                 -- admin.ExecutionSpec
  closure                  bytea NOT NULL,                 -- admin.ExecutionClosure
  inputs_uri               text NOT NULL DEFAULT '',       -- computed inputs (LiteralMap blob)
  user_inputs_uri          text NOT NULL DEFAULT '',       -- inputs as the user gave them
  outputs_uri              text,
  scheduled_at             timestamptz,
  created_at               timestamptz NOT NULL DEFAULT now(),
  started_at               timestamptz,
  updated_at               timestamptz NOT NULL DEFAULT now(),
  ended_at                 timestamptz,
  duration_ns              bigint,
  error_kind               text,                           -- core.ExecutionError.ErrorKind name
  error_code               text,
  abort_cause              text,
  cluster                  text NOT NULL DEFAULT '',       -- the engine that runs it (event producer_id)
  parent_node_execution_id bigint,                         -- child launch plan executions; FK below
  source_execution_id      bigint REFERENCES executions (id), -- relaunched or recovered from
  CONSTRAINT executions_key UNIQUE (project, domain, name)
);
CREATE INDEX executions_by_scope ON executions (project, domain, created_at);
CREATE INDEX executions_by_phase ON executions (project, domain, phase, created_at);
-- Per launch plan, and its concurrency policy: QUEUED/RUNNING executions of a launch plan.
CREATE INDEX executions_by_launch_plan ON executions (launch_plan_id, phase);
CREATE INDEX executions_by_workflow ON executions (workflow_id);
CREATE INDEX executions_by_task ON executions (task_id);
CREATE INDEX executions_by_parent ON executions (parent_node_execution_id);
CREATE INDEX executions_by_source ON executions (source_execution_id);
-- What an engine picks up again after a restart.
CREATE INDEX executions_unfinished ON executions (created_at)
  WHERE phase IN ('UNDEFINED', 'QUEUED', 'RUNNING', 'SUCCEEDING', 'FAILING', 'ABORTING');

-- Labels (and legacy tags, value '') of an execution, for filtering by tag.
CREATE TABLE execution_tags (
  execution_id bigint NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  key          text NOT NULL,
  value        text NOT NULL DEFAULT '',
  PRIMARY KEY (execution_id, key, value)
);
CREATE INDEX execution_tags_by_tag ON execution_tags (key, value);

CREATE TABLE node_executions (
  id                       bigserial PRIMARY KEY,
  execution_id             bigint NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  node_id                  text NOT NULL,                  -- unique id within the execution (nested nodes' ids are derived)
  spec_node_id             text NOT NULL DEFAULT '',       -- the node's id in its workflow template
  retry_group              text NOT NULL DEFAULT '',
  parent_id                bigint REFERENCES node_executions (id) ON DELETE CASCADE, -- enclosing node (subworkflow, branch, dynamic)
  parent_task_execution_id bigint,                         -- legacy dynamic children; FK below
  phase                    text NOT NULL CHECK (phase IN (
                             'UNDEFINED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILING', 'FAILED', 'ABORTED',
                             'SKIPPED', 'TIMED_OUT', 'DYNAMIC_RUNNING', 'RECOVERED')),
  is_parent                boolean NOT NULL DEFAULT false,
  is_dynamic               boolean NOT NULL DEFAULT false,
  is_array                 boolean NOT NULL DEFAULT false,
  is_eager                 boolean NOT NULL DEFAULT false,
  closure                  bytea NOT NULL,                 -- admin.NodeExecutionClosure
  input_uri                text NOT NULL DEFAULT '',
  output_uri               text,
  dynamic_workflow_uri     text,                           -- stored compiled closure of a dynamic node
  cache_status             text,                           -- core.CatalogCacheStatus name
  error_kind               text,
  error_code               text,
  created_at               timestamptz NOT NULL,           -- occurred_at of the first event
  started_at               timestamptz,
  updated_at               timestamptz NOT NULL,
  duration_ns              bigint,
  event_version            integer NOT NULL DEFAULT 0,
  occurred_at              timestamptz NOT NULL,           -- of the last applied event, to order late arrivals
  CONSTRAINT node_executions_key UNIQUE (execution_id, node_id)
);
-- Top-level nodes (parent_id IS NULL) and the children of one node, in creation order.
CREATE INDEX node_executions_by_parent ON node_executions (execution_id, parent_id, created_at);
CREATE INDEX node_executions_by_parent_task ON node_executions (parent_task_execution_id);

CREATE TABLE task_executions (
  id                bigserial PRIMARY KEY,
  node_execution_id bigint NOT NULL REFERENCES node_executions (id) ON DELETE CASCADE,
  execution_id      bigint NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  -- The task's identifier, not a reference: dynamic tasks are never registered.
  task_project      text NOT NULL,
  task_domain       text NOT NULL,
  task_name         text NOT NULL,
  task_version      text NOT NULL,
  retry_attempt     integer NOT NULL,
  phase             text NOT NULL CHECK (phase IN (
                      'UNDEFINED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'ABORTED', 'FAILED', 'INITIALIZING',
                      'WAITING_FOR_RESOURCES', 'RETRYABLE_FAILED')),
  phase_version     integer NOT NULL DEFAULT 0,
  is_parent         boolean NOT NULL DEFAULT false,
  closure           bytea NOT NULL,                        -- admin.TaskExecutionClosure
  input_uri         text NOT NULL DEFAULT '',
  output_uri        text,
  error_kind        text,
  error_code        text,
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  updated_at        timestamptz NOT NULL,
  duration_ns       bigint,
  event_version     integer NOT NULL DEFAULT 0,
  occurred_at       timestamptz NOT NULL,
  CONSTRAINT task_executions_key UNIQUE (node_execution_id, task_project, task_domain, task_name, task_version, retry_attempt)
);
CREATE INDEX task_executions_by_execution ON task_executions (execution_id, created_at);

ALTER TABLE executions ADD CONSTRAINT executions_parent_node_execution_fk
  FOREIGN KEY (parent_node_execution_id) REFERENCES node_executions (id) ON DELETE SET NULL;
ALTER TABLE node_executions ADD CONSTRAINT node_executions_parent_task_execution_fk
  FOREIGN KEY (parent_task_execution_id) REFERENCES task_executions (id) ON DELETE CASCADE;

-- Every accepted workflow, node and task event as received: an append-only log for replay and
-- pub-sub. Ids are not committed in order under concurrent writers, so a consumer that follows
-- `id > last seen` must re-read a short window behind its cursor.
CREATE TABLE execution_events (
  id           bigserial PRIMARY KEY,
  execution_id bigint NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('workflow', 'node', 'task')),
  node_id      text,                                       -- node and task events
  phase        text NOT NULL,
  producer_id  text NOT NULL DEFAULT '',
  occurred_at  timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  event        bytea NOT NULL                              -- admin.{Workflow,Node,Task}ExecutionEventRequest
);
CREATE INDEX execution_events_by_execution ON execution_events (execution_id, id);
CREATE INDEX execution_events_by_time ON execution_events (recorded_at);

-- Gate node signals (approve / wait for input).
CREATE TABLE signals (
  id           bigserial PRIMARY KEY,
  execution_id bigint NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  signal_id    text NOT NULL,
  type         bytea NOT NULL,                             -- core.LiteralType
  value        bytea,                                      -- core.Literal; NULL until set
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT signals_key UNIQUE (execution_id, signal_id)
);

-- Messages to deliver after the transaction that produced them commits (notifications, cloud
-- events): written in that transaction, sent and marked by a worker, retried with backoff.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  key          text NOT NULL DEFAULT '',                   -- what the message is about, for ordering and de-duplication
  payload      bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),         -- not to be tried before
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  delivered_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (topic, available_at, id) WHERE delivered_at IS NULL;
