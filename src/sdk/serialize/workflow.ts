import { create } from "@bufbuild/protobuf";
import {
  type WorkflowSpec,
  WorkflowSpecSchema,
  type WorkflowTemplate,
  WorkflowTemplateSchema,
  WorkflowMetadata_OnFailurePolicy,
} from "../../idl/index.js";
import type { WorkflowEntity } from "../workflow.js";
import { binding } from "./binding.js";
import { subWorkflows } from "./dependencies.js";
import { entityId } from "./ids.js";
import { typedInterface } from "./interface.js";
import { serializeNode } from "./node.js";
import type { SerializationSettings } from "./settings.js";

export function workflowTemplate(wf: WorkflowEntity, settings: SerializationSettings): WorkflowTemplate {
  const graph = wf.graph();
  const outputs = wf.outputTypes();
  return create(WorkflowTemplateSchema, {
    id: entityId(wf, settings),
    metadata: {
      onFailure:
        wf.options.failurePolicy === "afterExecutableNodes"
          ? WorkflowMetadata_OnFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
          : WorkflowMetadata_OnFailurePolicy.FAIL_IMMEDIATELY,
    },
    interface: typedInterface(wf.inputTypes(), outputs),
    nodes: graph.nodes.map((node) => serializeNode(node, settings)),
    outputs: [...graph.outputs].map(([name, value]) =>
      binding(name, value, outputs[name], `workflow output "${name}"`),
    ),
    failureNode: graph.failureNode && serializeNode(graph.failureNode, settings),
    metadataDefaults: { interruptible: wf.options.interruptible ?? false },
  });
}

/** A WorkflowSpec: the workflow and every subworkflow it contains, at any depth. */
export function serializeWorkflow(wf: WorkflowEntity, settings: SerializationSettings): WorkflowSpec {
  return create(WorkflowSpecSchema, {
    template: workflowTemplate(wf, settings),
    subWorkflows: subWorkflows(wf).map((sub) => workflowTemplate(sub, settings)),
    description: wf.options.docs ? { shortDescription: wf.options.docs } : undefined,
  });
}
