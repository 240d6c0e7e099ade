// Launching a launch plan version from a form generated from its interface. With `?clone=<execution>` the form
// starts from that execution's inputs instead of the launch plan's defaults.
import { admin } from "../lib/api.js";
import { useLoad } from "../hooks.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { LaunchForm } from "../components/launch-form.js";
import { Link, paths } from "../router.js";

interface Props {
  project: string;
  domain: string;
  name: string;
  version: string;
  /** The execution whose inputs prefill the form. */
  clone: string | undefined;
}

export function LaunchPage({ project, domain, name, version, clone }: Props) {
  const plan = useLoad(
    () => admin.getLaunchPlan({ id: { resourceType: 3, project, domain, name, version } }),
    [project, domain, name, version],
  );
  const cloned = useLoad(async () => {
    if (!clone) return undefined;
    const data = await admin.getExecutionData({ id: { project, domain, name: clone } });
    // Admin inlines inputs up to its size limit; bigger ones are only offered as a download link.
    if (!data.fullInputs) throw new Error(`the inputs of ${clone} are too large to show; launch it from the CLI`);
    return data.fullInputs.literals;
  }, [project, domain, clone]);
  const ready = plan.data !== undefined && (!clone || cloned.data !== undefined || cloned.error !== undefined);
  return (
    <main>
      <h1 className="wrap">
        Launch{" "}
        <Link className="mono" to={paths.entity(project, domain, "launch_plans", name, version)}>
          {name}
        </Link>
      </h1>
      <p className="muted">
        {project} / {domain} · version <span className="mono">{version}</span>
        {clone && (
          <>
            {" "}
            · inputs from{" "}
            <Link className="mono" to={paths.execution(project, domain, clone)}>
              {clone}
            </Link>
          </>
        )}
      </p>
      {plan.error !== undefined && (
        <ErrorBox what={`Could not load launch plan ${name}`} error={plan.error} onRetry={plan.reload} />
      )}
      {cloned.error !== undefined && (
        <ErrorBox
          what={`Could not read the inputs of ${clone}; the form starts from the launch plan's defaults`}
          error={cloned.error}
          onRetry={cloned.reload}
        />
      )}
      {!ready && plan.error === undefined && <Loading what="the launch plan" />}
      {ready && plan.data && <LaunchForm key={clone ?? ""} plan={plan.data} inputs={cloned.data} />}
    </main>
  );
}
