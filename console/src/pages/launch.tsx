// Launching a launch plan version from a form generated from its interface.
import { admin } from "../lib/api.js";
import { useLoad } from "../hooks.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { LaunchForm } from "../components/launch-form.js";
import { Link, paths } from "../router.js";

export function LaunchPage({
  project,
  domain,
  name,
  version,
}: {
  project: string;
  domain: string;
  name: string;
  version: string;
}) {
  const plan = useLoad(
    () => admin.getLaunchPlan({ id: { resourceType: 3, project, domain, name, version } }),
    [project, domain, name, version],
  );
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
      </p>
      {plan.error !== undefined && (
        <ErrorBox what={`Could not load launch plan ${name}`} error={plan.error} onRetry={plan.reload} />
      )}
      {plan.data === undefined && plan.error === undefined && <Loading what="the launch plan" />}
      {plan.data && <LaunchForm plan={plan.data} />}
    </main>
  );
}
