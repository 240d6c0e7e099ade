// The launch form: one editor per launch plan input, validated as the user types (lib/inputs.ts does the
// conversion), fixed inputs shown read-only; submit creates the execution and opens it.
import { type FormEvent, useMemo, useState } from "react";
import type { LaunchPlan } from "../../../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import { admin } from "../lib/api.js";
import type { Literal } from "../../../src/idl/gen/flyteidl/core/literals_pb.js";
import { buildInputs, editedType, fieldsFor, initialValues, type InputField, parseField } from "../lib/inputs.js";
import { typeLabel } from "../lib/literals.js";
import { navigate, paths } from "../router.js";
import { BlobUpload, isUploadable } from "./blob-upload.js";
import { ErrorBox } from "./error-box.js";

const PLACEHOLDERS: Partial<Record<InputField["kind"], string>> = {
  integer: "e.g. 42",
  float: "e.g. 3.14",
  datetime: "e.g. 2026-01-31T12:00:00Z",
  duration: "e.g. 1h30m, 90s, 250ms",
  uri: "e.g. s3://bucket/key",
};

/** `inputs` prefills the editors (a cloned execution's inputs); otherwise the launch plan's defaults. */
export function LaunchForm({ plan, inputs }: { plan: LaunchPlan; inputs?: Record<string, Literal> }) {
  const id = plan.id!;
  const fields = useMemo(
    () =>
      fieldsFor(
        plan.closure?.expectedInputs?.parameters ?? plan.spec?.defaultInputs?.parameters ?? {},
        plan.spec?.fixedInputs?.literals ?? {},
      ),
    [plan],
  );
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(fields, inputs));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [name, setName] = useState("");
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Fields whose upload is still sending: launching now would send the URI of a file not yet stored.
  const [uploading, setUploading] = useState<Record<string, boolean>>({});
  const waiting = Object.keys(uploading).filter((name) => uploading[name]);
  const errorOf = (field: InputField) => {
    if (field.fixed || !touched[field.name]) return undefined;
    const parsed = parseField(field, values[field.name] ?? "");
    return parsed.ok ? undefined : parsed.error;
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(Object.fromEntries(fields.map((f) => [f.name, true])));
    if (waiting.length > 0) return;
    const built = buildInputs(fields, values);
    if (!built.ok) {
      document.getElementById(`input-${Object.keys(built.errors)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const created = await admin.createExecution({
        project: id.project,
        domain: id.domain,
        name: name.trim(),
        spec: { launchPlan: id },
        inputs: built.inputs,
      });
      navigate(paths.execution(id.project, id.domain, created.id?.name ?? ""));
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };
  return (
    <form className="launch-form" onSubmit={submit} noValidate aria-label={`launch ${id.name}`}>
      {fields.length === 0 && <p className="muted">This launch plan takes no inputs.</p>}
      {fields.map((field) => {
        const error = errorOf(field);
        const inputId = `input-${field.name}`;
        const describedBy = error ? `${inputId}-error` : field.description ? `${inputId}-help` : undefined;
        const set = (text: string) => setValues((v) => ({ ...v, [field.name]: text }));
        const touch = () => setTouched((t) => ({ ...t, [field.name]: true }));
        const common = {
          id: inputId,
          name: field.name,
          "aria-invalid": error ? true : undefined,
          "aria-describedby": describedBy,
          disabled: field.fixed,
          onBlur: touch,
        };
        return (
          <div className={`field${error ? " invalid" : ""}`} key={field.name}>
            <label htmlFor={inputId}>
              <span className="mono">{field.name}</span>{" "}
              <span className="muted">{field.fixed ? "fixed" : typeLabel(field.type)}</span>
              {field.required && (
                <span className="required" title="required">
                  {" "}
                  *
                </span>
              )}
            </label>
            {field.kind === "boolean" && !field.optional ? (
              <input
                type="checkbox"
                {...common}
                checked={values[field.name] === "true"}
                onChange={(e) => {
                  set(String(e.target.checked));
                  touch();
                }}
              />
            ) : field.kind === "enum" ? (
              <select {...common} value={values[field.name]} onChange={(e) => set(e.target.value)}>
                {(field.optional || !field.initial) && (
                  <option value="">{field.optional ? "(none)" : "choose…"}</option>
                )}
                {field.choices.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            ) : field.kind === "json" ? (
              <textarea
                {...common}
                readOnly={field.fixed}
                rows={Math.min(12, Math.max(3, (values[field.name] ?? "").split("\n").length))}
                spellCheck={false}
                placeholder="JSON"
                value={values[field.name]}
                onChange={(e) => set(e.target.value)}
              />
            ) : (
              <input
                type="text"
                {...common}
                inputMode={field.kind === "integer" || field.kind === "float" ? "decimal" : undefined}
                placeholder={field.optional ? "empty = none" : PLACEHOLDERS[field.kind]}
                value={values[field.name]}
                onChange={(e) => set(e.target.value)}
              />
            )}
            {field.kind === "uri" && !field.fixed && isUploadable(editedType(field)) && (
              <BlobUpload
                type={editedType(field)}
                scope={{ project: id.project, domain: id.domain }}
                fieldName={field.name}
                onUploaded={(uri) => {
                  set(uri);
                  touch();
                }}
                onBusy={(sending) => setUploading((u) => ({ ...u, [field.name]: sending }))}
              />
            )}
            {field.description && !error && (
              <small id={`${inputId}-help`} className="muted">
                {field.description}
              </small>
            )}
            {error && (
              <small id={`${inputId}-error`} className="error-inline" role="alert">
                {error}
              </small>
            )}
          </div>
        );
      })}
      <div className="field">
        <label htmlFor="execution-name">
          execution name <span className="muted">optional</span>
        </label>
        <input
          id="execution-name"
          type="text"
          value={name}
          placeholder="generated"
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      {failure !== undefined && <ErrorBox what={`Could not launch ${id.name}`} error={failure} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || waiting.length > 0}>
          {busy ? "Launching…" : "Launch"}
        </button>
        {waiting.length > 0 && (
          <span className="muted" aria-live="polite">
            waiting for the upload of {waiting.join(", ")}
          </span>
        )}
      </div>
    </form>
  );
}
