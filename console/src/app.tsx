// The shell (header, skip link) and the routes.
import { EntityPage } from "./pages/entity.js";
import { ExecutionPage } from "./pages/execution.js";
import { LaunchPage } from "./pages/launch.js";
import { NotificationsPage } from "./pages/notifications.js";
import { ProjectPage } from "./pages/project.js";
import { ProjectsPage } from "./pages/projects.js";
import { UsagePage } from "./pages/usage.js";
import { type EntityKind, Link, paths, useLocation } from "./router.js";

const SCOPE = "^/projects/([^/]+)/domains/([^/]+)";

function Route() {
  const { path, query } = useLocation();
  const match = (pattern: string) =>
    new RegExp(`${SCOPE}${pattern}/?$`)
      .exec(path)
      ?.slice(1)
      .map((part) => (part === undefined ? part : decodeURIComponent(part)));
  let m = match("");
  if (m) return <ProjectPage project={m[0]} domain={m[1]} tab={query.get("tab") ?? "executions"} />;
  m = match("/executions/([^/]+)");
  if (m)
    return (
      <ExecutionPage
        project={m[0]}
        domain={m[1]}
        name={m[2]}
        view={query.get("view") ?? "graph"}
        node={query.get("node") ?? undefined}
      />
    );
  m = match("/usage");
  if (m) return <UsagePage project={m[0]} domain={m[1]} days={Number(query.get("days") ?? 30) || 30} />;
  m = match("/launch/([^/]+)/([^/]+)");
  if (m)
    return (
      <LaunchPage project={m[0]} domain={m[1]} name={m[2]} version={m[3]} clone={query.get("clone") ?? undefined} />
    );
  m = match("/(workflows|tasks|launch_plans)/([^/]+)(?:/([^/]+))?");
  if (m) return <EntityPage project={m[0]} domain={m[1]} kind={m[2] as EntityKind} name={m[3]} version={m[4]} />;
  if (path === "/notifications" || path === "/notifications/")
    return <NotificationsPage state={query.get("state") ?? ""} />;
  if (path === "/" || path === "") return <ProjectsPage />;
  return (
    <main>
      <h1>Not found</h1>
      <p>
        The console has no page at <span className="mono">{path}</span>. Start again from the{" "}
        <Link to={paths.projects()}>projects</Link>.
      </p>
    </main>
  );
}

export function App() {
  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="top">
        <Link to={paths.projects()} className="brand">
          tsflyte
        </Link>
        <span className="muted">console</span>
        <nav className="top-links" aria-label="console">
          <Link to={paths.notifications()}>Notifications</Link>
        </nav>
      </header>
      <div id="content">
        <Route />
      </div>
    </>
  );
}
