// Prints the events admin publishes to NATS JetStream (admin's config: `events.sinks: [{ type: nats }]`,
// docs/notifications.md). Not a workflow: run it with
//
//   node --import ./bin/ts-register.mjs examples/subscribe-events.ts [--servers nats://127.0.0.1:4222]
//     [--stream TSFLYTE_EVENTS] [--subject 'tsflyte.flytesnacks.>'] [--from-start]
//
// Each line is one CloudEvent: when it happened, the execution, the kind and phase, and for task events the
// attempt. Stop it with Ctrl-C.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

interface FlyteCloudEvent {
  id: string;
  type: string;
  time: string;
  subject: string;
  data: {
    event?: {
      phase?: string;
      id?: { nodeId?: string };
      parentNodeExecutionId?: { nodeId?: string };
      retryAttempt?: number;
    };
  };
}

/** One line per event: `<time> <project/domain/execution> <kind> [node] <PHASE>`. */
export function describeEvent(event: FlyteCloudEvent): string {
  const kind = event.type.replace(/^com\.flyte\.resource\.flyteidl\.admin\./, "").replace(/ExecutionEventRequest$/, "");
  const e = event.data.event ?? {};
  const node = e.id?.nodeId ?? e.parentNodeExecutionId?.nodeId;
  const where = node === undefined ? "" : ` ${node}${e.retryAttempt ? ` attempt ${e.retryAttempt}` : ""}`;
  return `${event.time} ${event.subject} ${kind.toLowerCase()}${where} ${e.phase ?? "UNDEFINED"}`;
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
