// Prints the events admin publishes to NATS JetStream (admin's config: `events.sinks: [{ type: nats }]`,
// docs/notifications.md). Not a workflow: run it with
//
//   node --import ./bin/ts-register.mjs examples/subscribe-events.ts [--servers nats://127.0.0.1:4222]
//     [--stream TSFLYTE_EVENTS] [--subject 'tsflyte.flytesnacks.>'] [--from-start]
//
// Each line is one CloudEvent: when it happened, the execution, the kind and phase, the node and task
// attempt, and what v2 events add: the launch plan and output names of a succeeded workflow, the task
// and outputs of a succeeded task node, and the execution's labels. Both versions are read (v2, the
// default, carries flyteidl's CloudEvent*Execution; v1 the admin request). Stop it with Ctrl-C.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The parts of a flyteidl event (proto3 JSON) printed here. */
interface RawEvent {
  phase?: string;
  id?: { nodeId?: string };
  parentNodeExecutionId?: { nodeId?: string };
  retryAttempt?: number;
}

interface Identifier {
  name?: string;
  version?: string;
}

/** flyteidl.event.CloudEvent{Workflow,Node,Task}Execution as proto3 JSON (v2). */
interface WrappedEvent {
  rawEvent?: RawEvent;
  launchPlanId?: Identifier;
  taskExecId?: { taskId?: Identifier; retryAttempt?: number };
  outputInterface?: { outputs?: { variables?: Record<string, unknown> } };
  principal?: string;
  labels?: Record<string, string>;
}

interface FlyteCloudEvent {
  type: string;
  time: string;
  subject: string;
  data: WrappedEvent & { event?: RawEvent };
}

const V2_TYPE = /^com\.flyte\.resource\.cloudevents\.(Workflow|Node|Task)Execution$/;
const V1_TYPE = /^com\.flyte\.resource\.flyteidl\.admin\.(Workflow|Node|Task)ExecutionEventRequest$/;

/** One line per event: `<time> <project/domain/execution> <kind> [node [attempt]] <PHASE> [details]`. */
export function describeEvent(event: FlyteCloudEvent): string {
  const v2 = V2_TYPE.exec(event.type);
  const kind = (v2 ?? V1_TYPE.exec(event.type))?.[1]?.toLowerCase() ?? event.type;
  // v2 wraps the flyteidl event; v1 sends the admin request, whose `event` it is.
  const raw = (v2 ? event.data.rawEvent : event.data.event) ?? {};
  const node = raw.id?.nodeId ?? raw.parentNodeExecutionId?.nodeId;
  const where = node === undefined ? "" : ` ${node}${raw.retryAttempt ? ` attempt ${raw.retryAttempt}` : ""}`;
  const details = v2 ? wrappedDetails(event.data) : "";
  return `${event.time} ${event.subject} ${kind}${where} ${raw.phase ?? "UNDEFINED"}${details}`;
}

function wrappedDetails(data: WrappedEvent): string {
  const parts: string[] = [];
  const lp = data.launchPlanId;
  if (lp?.name) parts.push(`launch plan ${lp.name}@${lp.version}`);
  const task = data.taskExecId?.taskId;
  if (task?.name) parts.push(`task ${task.name}@${task.version}`);
  const outputs = Object.keys(data.outputInterface?.outputs?.variables ?? {});
  if (data.outputInterface) parts.push(`outputs [${outputs.join(", ")}]`);
  if (data.principal) parts.push(`by ${data.principal}`);
  const labels = Object.entries(data.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) parts.push(`labels ${labels.join(",")}`);
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      servers: { type: "string", default: "nats://127.0.0.1:4222" },
      stream: { type: "string", default: "TSFLYTE_EVENTS" },
      subject: { type: "string", default: "tsflyte.>" },
      "from-start": { type: "boolean", default: false },
    },
  });
  // Loaded here so that registering or packaging examples/ does not pull the NATS client in.
  const { AckPolicy, connect, DeliverPolicy } = await import("nats");
  const nc = await connect({ servers: values.servers });
  const jsm = await nc.jetstreamManager();
  // An ephemeral consumer: the server forgets it when this program stops.
  const info = await jsm.consumers.add(values.stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: values["from-start"] ? DeliverPolicy.All : DeliverPolicy.New,
    filter_subject: values.subject,
    inactive_threshold: 60_000_000_000,
  });
  const consumer = await nc.jetstream().consumers.get(values.stream, info.name);
  console.error(`listening on ${values.subject} in stream ${values.stream} at ${values.servers}`);
  process.once("SIGINT", () => void nc.close());
  for await (const message of await consumer.consume()) {
    console.log(describeEvent(message.json<FlyteCloudEvent>()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`subscribe-events: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
