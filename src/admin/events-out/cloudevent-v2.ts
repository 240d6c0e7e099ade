// flyteadmin's "v2" cloud events (async/cloudevent, `CloudEventWrappedPublisher`): the data is
// flyteidl's CloudEventWorkflowExecution, CloudEventNodeExecution or CloudEventTaskExecution as
// proto3 JSON, with the stored event as raw_event. The type is `com.flyte.resource.cloudevents.
// <Kind>Execution`; the source is flyteadmin's artifact key: `<execution>/end-node` for workflow
// events, `<execution>/<node>` for node events, `<execution>/<node>/<attempt>` for task events.
import { create, type JsonValue } from "@bufbuild/protobuf";
import type { CloudEvent } from "cloudevents";
import type { ArtifactID } from "../../idl/gen/flyteidl/core/artifact_id_pb.js";
import type {
  Identifier,
  TaskExecutionIdentifier,
  WorkflowExecutionIdentifier,
} from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { type TypedInterface, TypedInterfaceSchema } from "../../idl/gen/flyteidl/core/interface_pb.js";
import {
  CloudEventNodeExecutionSchema,
  CloudEventTaskExecutionSchema,
  CloudEventWorkflowExecutionSchema,
} from "../../idl/gen/flyteidl/event/cloudevents_pb.js";
import { toJson } from "../../idl/index.js";
import { type DecodedEvent, envelope, TYPE_PREFIX } from "./cloudevent.js";

/** What v2 adds from the execution: its spec's launch plan, metadata and labels, and its workflow's interface. */
export interface ExecutionFacts {
  launchPlanId: Identifier | undefined;
  principal: string;
  artifactIds: ArtifactID[];
  referenceExecution: WorkflowExecutionIdentifier | undefined;
  labels: Record<string, string>;
  workflowInterface: TypedInterface | undefined;
}

/** A node's latest task attempt and the task's interface (unknown for tasks that were never registered). */
export interface NodeTaskFacts {
  taskExecId: TaskExecutionIdentifier;
  outputInterface: TypedInterface | undefined;
}

export const V2_TYPES = {
  workflow: `${TYPE_PREFIX}cloudevents.WorkflowExecution`,
  node: `${TYPE_PREFIX}cloudevents.NodeExecution`,
  task: `${TYPE_PREFIX}cloudevents.TaskExecution`,
} as const;

/**
 * flyteadmin fills the extra fields only where its artifact service looks: succeeded workflow
 * events, and succeeded node events other than the start node. Labels (newer flyteadmin) are on
 * every event, so consumers can filter on them.
 */
export const isEnriched = (decoded: DecodedEvent): boolean =>
  decoded.phase === "SUCCEEDED" &&
  (decoded.kind === "workflow" || (decoded.kind === "node" && decoded.event.id?.nodeId !== "start-node"));

export function wrappedCloudEvent(
  decoded: DecodedEvent,
  facts: ExecutionFacts,
  nodeTask: NodeTaskFacts | undefined,
): CloudEvent<JsonValue> {
  return envelope(decoded, {
    type: V2_TYPES[decoded.kind],
    source: artifactKey(decoded),
    data: wrappedJson(decoded, facts, nodeTask),
  });
}

function wrappedJson(decoded: DecodedEvent, facts: ExecutionFacts, nodeTask: NodeTaskFacts | undefined): JsonValue {
  const labels = { ...facts.labels };
  const enriched = isEnriched(decoded);
  const metadata = enriched
    ? { artifactIds: facts.artifactIds, principal: facts.principal, launchPlanId: facts.launchPlanId }
    : {};
  switch (decoded.kind) {
    case "workflow": {
      const message = create(CloudEventWorkflowExecutionSchema, {
        rawEvent: decoded.event,
        labels,
        ...(enriched && {
          ...metadata,
          // flyteadmin sends an empty interface when the workflow has none stored.
          outputInterface: facts.workflowInterface ?? create(TypedInterfaceSchema),
          referenceExecution: facts.referenceExecution,
        }),
      });
      return toJson(CloudEventWorkflowExecutionSchema, message);
    }
    case "node": {
      const message = create(CloudEventNodeExecutionSchema, {
        rawEvent: decoded.event,
        labels,
        ...metadata,
        ...(enriched && nodeTask && { taskExecId: nodeTask.taskExecId, outputInterface: nodeTask.outputInterface }),
      });
      return toJson(CloudEventNodeExecutionSchema, message);
    }
    case "task":
      return toJson(
        CloudEventTaskExecutionSchema,
        create(CloudEventTaskExecutionSchema, { rawEvent: decoded.event, labels }),
      );
  }
}

function artifactKey(decoded: DecodedEvent): string {
  const execution = decoded.stored.name;
  switch (decoded.kind) {
    case "workflow":
      return `${execution}/end-node`;
    case "node":
      return `${execution}/${decoded.event.id?.nodeId ?? ""}`;
    case "task":
      return `${execution}/${decoded.event.parentNodeExecutionId?.nodeId ?? ""}/${decoded.event.retryAttempt}`;
  }
}
