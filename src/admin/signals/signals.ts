// Signals of gate nodes (flyteadmin signal_manager.go, signal_validator.go, signal_repo.go): the
// engine asks for a signal each round with GetOrCreateSignal until it has a value; users give the
// value with SetSignal (type-checked against the signal's type, and allowed to overwrite).
import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { literalTypeOf } from "../../compiler/literal-type.js";
import { formatType } from "../../compiler/type-format.js";
import { areTypesCastable } from "../../compiler/typing.js";
import { listQuery, nextPageToken, parseFilters, parsePage, type Queryable, SIGNAL_COLUMNS } from "../../db/index.js";
import {
  type Signal,
  type SignalGetOrCreateRequest,
  type SignalList,
  SignalListSchema,
  type SignalListRequest,
  SignalSchema,
  type SignalSetRequest,
  type SignalSetResponse,
  SignalSetResponseSchema,
} from "../../idl/gen/flyteidl/admin/signal_pb.js";
import type { SignalIdentifier, WorkflowExecutionIdentifier } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { LiteralSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import { LiteralTypeSchema } from "../../idl/gen/flyteidl/core/types_pb.js";
import type { AdminContext } from "../context.js";
import { alreadyExists, invalidArgument, notFound } from "../executions/errors.js";

interface SignalRow {
  signal_id: string;
  type: Uint8Array;
  value: Uint8Array | null;
  project: string;
  domain: string;
  name: string;
  org: string;
}

const SELECT = `SELECT signals.signal_id, signals.type, signals.value,
    executions.project, executions.domain, executions.name, executions.org
  FROM signals JOIN executions ON executions.id = signals.execution_id`;

/** ValidateWorkflowExecutionIdentifier. */
function requireExecution(id: WorkflowExecutionIdentifier | undefined): WorkflowExecutionIdentifier {
  if (id === undefined) throw invalidArgument("missing execution_id");
  for (const field of ["project", "domain", "name"] as const) {
    if (id[field] === "") throw invalidArgument(`missing ${field}`);
  }
  return id;
}

/** ValidateSignalIdentifier. */
function requireSignalId(id: SignalIdentifier | undefined): {
  execution: WorkflowExecutionIdentifier;
  signalId: string;
} {
  if (id === undefined) throw invalidArgument("missing id");
  if (id.executionId === undefined) throw invalidArgument("missing execution_id");
  if (id.signalId === "") throw invalidArgument("missing signal_id");
  return { execution: requireExecution(id.executionId), signalId: id.signalId };
}

function signalFromRow(row: SignalRow): Signal {
  return create(SignalSchema, {
    id: {
      signalId: row.signal_id,
      executionId: { project: row.project, domain: row.domain, name: row.name, org: row.org },
    },
    type: fromBinary(LiteralTypeSchema, row.type),
    value: row.value === null ? undefined : fromBinary(LiteralSchema, row.value),
  });
}

async function findSignal(db: Queryable, execution: WorkflowExecutionIdentifier, signalId: string) {
  const rows = await db.query<SignalRow>(
    `${SELECT} WHERE executions.project = $1 AND executions.domain = $2 AND executions.name = $3
       AND signals.signal_id = $4`,
    [execution.project, execution.domain, execution.name, signalId],
  );
  return rows[0];
}

/**
 * Returns the signal, creating it without a value on first request. Asking again with another
 * type fails, as flyteadmin's FirstOrCreate (which matches on the type too) does.
 */
export async function getOrCreateSignal(ctx: AdminContext, request: SignalGetOrCreateRequest): Promise<Signal> {
  const { execution, signalId } = requireSignalId(request.id);
  const type = request.type;
  if (type === undefined) throw invalidArgument("missing type");
  const executions = await ctx.db.query<{ id: number }>(
    "SELECT id FROM executions WHERE project = $1 AND domain = $2 AND name = $3",
    [execution.project, execution.domain, execution.name],
  );
  if (executions.length === 0) {
    throw notFound(`execution ${execution.project}/${execution.domain}/${execution.name} not found`);
  }
  await ctx.db.query(
    "INSERT INTO signals (execution_id, signal_id, type) VALUES ($1, $2, $3) ON CONFLICT (execution_id, signal_id) DO NOTHING",
    [executions[0].id, signalId, toBinary(LiteralTypeSchema, type)],
  );
  const signal = signalFromRow((await findSignal(ctx.db, execution, signalId))!);
  if (!equals(LiteralTypeSchema, signal.type!, type)) {
    throw alreadyExists(
      `signal [${signalId}] of execution ${execution.name} already exists with type [${formatType(signal.type)}], ` +
        `not [${formatType(type)}]`,
    );
  }
  return signal;
}

export async function listSignals(ctx: AdminContext, request: SignalListRequest): Promise<SignalList> {
  const execution = requireExecution(request.workflowExecutionId);
  const page = parsePage(request.limit, request.token);
  const query = listQuery({
    from: SELECT,
    where: {
      sql: "executions.project = $1 AND executions.domain = $2 AND executions.name = $3",
      params: [execution.project, execution.domain, execution.name],
    },
    filters: parseFilters(request.filters),
    columns: SIGNAL_COLUMNS,
    sort: request.sortBy,
    // flyteadmin leaves the order unspecified; creation order is what its database returns in practice.
    order: { defaultSort: { key: "created_at", direction: "ASCENDING" }, tiebreak: "signals.id" },
    page,
  });
  const rows = await ctx.db.query<SignalRow>(query.sql, query.params);
  return create(SignalListSchema, { signals: rows.map(signalFromRow), token: nextPageToken(page, rows.length) });
}

/** Sets (or overwrites) a signal's value, which must be castable to the signal's type. */
export async function setSignal(ctx: AdminContext, request: SignalSetRequest): Promise<SignalSetResponse> {
  const { execution, signalId } = requireSignalId(request.id);
  const value = request.value;
  if (value === undefined) throw invalidArgument("missing value");
  const row = await findSignal(ctx.db, execution, signalId);
  if (row === undefined) {
    throw invalidArgument(
      `failed to validate that signal [{{${execution.project} ${execution.domain} ${execution.name}} ${signalId}}] ` +
        "exists, err: [signal does not exist]",
    );
  }
  const expected = fromBinary(LiteralTypeSchema, row.type);
  const actual = literalTypeOf(value);
  if (actual.type.case === undefined) {
    throw invalidArgument("Failed to validate literal type for [] with err: the value has no recognizable type");
  }
  if (!areTypesCastable(actual, expected)) {
    throw invalidArgument(
      `requested signal value of type [${formatType(actual)}] is not castable to existing signal type [${formatType(expected)}]`,
    );
  }
  await ctx.db.query(
    `UPDATE signals SET value = $1, updated_at = now()
     WHERE signal_id = $2 AND execution_id = (SELECT id FROM executions WHERE project = $3 AND domain = $4 AND name = $5)`,
    [toBinary(LiteralSchema, value), signalId, execution.project, execution.domain, execution.name],
  );
  return create(SignalSetResponseSchema);
}
