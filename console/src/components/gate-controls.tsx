// Approving a gate: SetSignal with true/false for a boolean signal, or a typed value for any other signal.
import { create } from "@bufbuild/protobuf";
import { useState } from "react";
import { type Literal, LiteralSchema } from "../../../src/idl/gen/flyteidl/core/literals_pb.js";
import { SimpleType } from "../../../src/idl/gen/flyteidl/core/types_pb.js";
import { signals } from "../lib/api.js";
import type { ExecutionIds } from "../lib/execution-data.js";
import { fromJson } from "../lib/inputs.js";
import { typeLabel } from "../lib/literals.js";
import { useLoad } from "../hooks.js";
import { ErrorBox } from "./error-box.js";

function boolLiteral(value: boolean): Literal {
  return create(LiteralSchema, {
    value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "boolean", value } } } } },
  });
}

export function GateControls({ executionId, signalId }: { executionId: ExecutionIds; signalId: string }) {
  const signal = useLoad(
    () =>
      signals
        .listSignals({ workflowExecutionId: executionId, limit: 100 })
        .then((l) => l.signals.find((s) => s.id?.signalId === signalId)),
    [executionId.name, signalId],
  );
  const [text, setText] = useState("");
  const [failure, setFailure] = useState<unknown>();
  const [sent, setSent] = useState("");
  const type = signal.data?.type;
  const isBool = type?.type.case === "simple" && type.type.value === SimpleType.BOOLEAN;
  const send = async (value: Literal, label: string) => {
    setFailure(undefined);
    try {
      await signals.setSignal({ id: { executionId, signalId }, value });
      setSent(label);
    } catch (error) {
      setFailure(error);
    }
  };
  const submitText = () => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    const parsed = type ? fromJson(type, json) : undefined;
    if (!parsed?.ok) return setFailure(new Error(parsed ? parsed.error : "the signal's type is not known yet"));
    send(parsed.literal, text);
  };
  if (sent)
    return (
      <p className="notice">
        Signal {signalId} set to {sent}; the gate continues shortly.
      </p>
    );
  return (
    <div className="gate">
      <p>
        Waiting for signal <span className="mono">{signalId}</span>
        {type ? ` (${typeLabel(type)})` : ""}.
      </p>
      {isBool || !type ? (
        <div className="actions">
          <button type="button" className="primary" onClick={() => send(boolLiteral(true), "approved")}>
            Approve
          </button>
          <button type="button" onClick={() => send(boolLiteral(false), "rejected")}>
            Reject
          </button>
        </div>
      ) : (
        <div className="actions">
          <label>
            value <input value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="button" className="primary" onClick={submitText}>
            Set signal
          </button>
        </div>
      )}
      {failure !== undefined && <ErrorBox what={`Could not set signal ${signalId}`} error={failure} />}
    </div>
  );
}
