// Signals of gate nodes through admin's SignalService: `tsflyte signal` gives a waiting gate its value or
// decision (SetSignal), `tsflyte get signals` lists an execution's signals (ListSignals).
import { readFileSync } from "node:fs";
import type { Client } from "@connectrpc/connect";
import { formatType } from "../../compiler/type-format.js";
import { type Signal, SignalSchema } from "../../idl/gen/flyteidl/admin/signal_pb.js";
import type { SignalService } from "../../idl/gen/flyteidl/service/signal_pb.js";
import type { Literal, LiteralType } from "../../idl/index.js";
import { type AnyType, TypeMismatchError, typeForLiteralType } from "../../sdk/index.js";
import { parseArgs } from "../args.js";
import { adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { render } from "./get.js";

export const signalHelp = `Usage: tsflyte signal EXECUTION SIGNAL_ID --value V
       tsflyte signal EXECUTION SIGNAL_ID --approve|--reject

Gives a gate of a running execution what it waits for: the value of a waitForInput() gate,
read by the signal's type as run inputs are (3, text, '[1,2]', @path), or the decision on an
approve() gate (a rejection fails the execution). Setting a signal again overwrites it.
\`tsflyte get signals EXECUTION\` lists an execution's signals and their types.

Options:
  --value V           the signal's value (@path reads it from a file)
  --approve           approve: the value true
  --reject            reject: the value false
  -p, --project P     project (default: config, then flytesnacks)
  -d, --domain D      domain (default: config, then development)
  -c, --config FILE   config file
  -h, --help          show this help`;

const OPTIONS = {
  value: { value: true },
  approve: { value: false },
  reject: { value: false },
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

type Signals = Client<typeof SignalService>;
type ExecutionRef = { project: string; domain: string; name: string };

export async function signalCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help || positionals.length === 0) {
    console.log(signalHelp);
    return options.help ? 0 : 2;
  }
  const [name, signalId, ...extra] = positionals;
  if (!signalId || extra.length > 0) {
    throw new UsageError("signal takes EXECUTION and SIGNAL_ID, e.g. tsflyte signal f1a2b3 approve_total --approve");
  }
  const text = options.value as string | undefined;
  const chosen = [text !== undefined, options.approve === true, options.reject === true].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError(`give signal ${signalId} exactly one of --value V, --approve or --reject`);
  const config = loadClientConfig(options.config as string | undefined);
  const { signals } = adminClients(config.adminUrl);
  const executionId = {
    project: (options.project as string | undefined) ?? config.project,
    domain: (options.domain as string | undefined) ?? config.domain,
    name,
  };
  const signal = await findSignal(signals, executionId, signalId);
  const type = cliType(signal);
  const value =
    text === undefined
      ? decision(signalId, type, options.approve === true)
      : readValue(signalId, type, fileOrText(text));
  await signals.setSignal({ id: { executionId, signalId }, value });
  const what =
    text === undefined
      ? options.approve
        ? "approved"
        : "rejected"
      : `set to ${JSON.stringify(type.toJson(type.fromLiteral(value)))}`;
  console.log(`signal ${signalId} of execution ${name} ${what}`);
  return 0;
}

/** Every signal of an execution; a gate creates its signal when the execution reaches it. */
async function listAll(
  signals: Signals,
  executionId: ExecutionRef,
  limit = Number.POSITIVE_INFINITY,
  filters = "",
): Promise<Signal[]> {
  const found: Signal[] = [];
  let token = "";
  do {
    const page = await signals.listSignals({
      workflowExecutionId: executionId,
      limit: Math.min(100, limit - found.length),
      token,
      filters,
    });
    found.push(...page.signals);
    token = page.token;
  } while (token !== "" && found.length < limit);
  return found;
}

async function findSignal(signals: Signals, executionId: ExecutionRef, signalId: string): Promise<Signal> {
  const all = await listAll(signals, executionId);
  const signal = all.find((s) => s.id?.signalId === signalId);
  if (signal) return signal;
  const known = all.map((s) => s.id?.signalId).join(", ");
  throw new UsageError(
    `execution ${executionId.name} in ${executionId.project}/${executionId.domain} has no signal "${signalId}"` +
      `${known ? ` (its signals: ${known})` : ""}; a gate's signal exists once the execution reaches the gate, ` +
      `see tsflyte get signals ${executionId.name}`,
  );
}

/** The SDK type that reads and shows values of the signal's stored type. */
function cliType(signal: Signal): AnyType {
  const type = signal.type && typeForLiteralType(signal.type);
  if (!type) {
    throw new UsageError(
      `signal ${signal.id?.signalId} has type ${formatType(signal.type)}, which the CLI cannot read; set it from a client`,
    );
  }
  return type;
}

/** `@path` reads the value from a file, as `tsflyte run` inputs do. */
function fileOrText(text: string): string {
  return text.startsWith("@") ? readFileSync(text.slice(1), "utf8").trim() : text;
}

function readValue(signalId: string, type: AnyType, text: string): Literal {
  try {
    return type.toLiteral(type.fromText(text));
  } catch (error) {
    if (!(error instanceof TypeMismatchError)) throw error;
    throw new UsageError(
      `signal ${signalId} expects a value of type ${type.name}, got ${JSON.stringify(text)} (${error.message})`,
    );
  }
}

function decision(signalId: string, type: AnyType, approved: boolean): Literal {
  if (type.name !== "boolean") {
    throw new UsageError(
      `signal ${signalId} waits for a value of type ${type.name}, not an approval; give it with --value V`,
    );
  }
  return type.toLiteral(approved);
}

function shownValue(type: LiteralType | undefined, value: Literal | undefined): string {
  if (value === undefined) return "(waiting)";
  const sdkType = type && typeForLiteralType(type);
  return sdkType ? JSON.stringify(sdkType.toJson(sdkType.fromLiteral(value))) : "(set)";
}

export interface GetSignalsRequest {
  adminUrl: string;
  project: string;
  domain: string;
  execution: string | undefined;
  limit: number;
  filters: string;
  format: string;
}

/** `tsflyte get signals EXECUTION`: each signal's id, type and value (or that it still waits). */
export async function getSignals(request: GetSignalsRequest): Promise<number> {
  const { project, domain, execution } = request;
  if (!execution) throw new UsageError("get signals needs the EXECUTION whose signals to list");
  const { signals } = adminClients(request.adminUrl);
  const found = await listAll(signals, { project, domain, name: execution }, request.limit, request.filters);
  console.log(
    render(
      SignalSchema,
      found,
      request.format,
      (s) => [s.id?.signalId ?? "", formatType(s.type), shownValue(s.type, s.value)],
      ["SIGNAL", "TYPE", "VALUE"],
    ),
  );
  return 0;
}
