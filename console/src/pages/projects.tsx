// The landing page: every project with a link per domain.
import { admin } from "../lib/api.js";
import { useLoad } from "../hooks.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { Link, paths } from "../router.js";

export function ProjectsPage() {
  const projects = useLoad(() => admin.listProjects({ limit: 100 }), []);
  return (
    <main>
      <h1>Projects</h1>
      {projects.error !== undefined && (
        <ErrorBox what="Could not load the projects" error={projects.error} onRetry={projects.reload} />
      )}
      {projects.data === undefined && projects.error === undefined && <Loading what="projects" />}
      {projects.data?.projects.length === 0 && (
        <p className="muted">
          No projects yet: create one with `tsflyte create project` or register into the default one.
        </p>
      )}
      <ul className="cards">
        {projects.data?.projects.map((project) => (
          <li key={project.id} className="card">
            <h2>{project.name || project.id}</h2>
            {project.description && <p className="muted">{project.description}</p>}
            <nav aria-label={`${project.id} domains`}>
              {project.domains.map((domain) => (
                <Link key={domain.id} to={paths.project(project.id, domain.id)} className="chip">
                  {domain.name || domain.id}
                </Link>
              ))}
            </nav>
          </li>
        ))}
      </ul>
    </main>
  );
}
