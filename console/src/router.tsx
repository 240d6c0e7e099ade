// A small path router over the History API: the console lives under /console and every page has a real URL
// (admin answers any /console/* path with index.html), so links can be shared, reloaded and opened in tabs.
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from "react";

export const BASE = "/console";

function current(): string {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : "/";
  return (path || "/") + window.location.search;
}

export function navigate(to: string, replace = false): void {
  if (replace) window.history.replaceState(null, "", BASE + to);
  else window.history.pushState(null, "", BASE + to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** The path below /console plus the query string; re-renders on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  const [path, search = ""] = location.split("?");
  return { path, query: new URLSearchParams(search) };
}

/** Replaces the current URL's query (filters a user set), keeping the path; no new history entry. */
export function replaceQuery(path: string, query: URLSearchParams): void {
  const q = query.toString();
  navigate(q ? `${path}?${q}` : path, true);
}

/** A real link (middle-click and copy work) that navigates in place on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
    window.scrollTo(0, 0);
  };
  return <a href={BASE + to} onClick={onClick} {...rest} />;
}

/** Paths of the pages, in one place so links and routes agree. */
export const paths = {
  projects: () => "/",
  project: (p: string, d: string, tab = "executions") => `/projects/${p}/domains/${d}?tab=${tab}`,
  entity: (p: string, d: string, kind: EntityKind, name: string, version?: string) =>
    `/projects/${p}/domains/${d}/${kind}/${encodeURIComponent(name)}${version ? `/${encodeURIComponent(version)}` : ""}`,
  launch: (p: string, d: string, name: string, version: string, clone?: string) =>
    `/projects/${p}/domains/${d}/launch/${encodeURIComponent(name)}/${encodeURIComponent(version)}${clone ? `?clone=${encodeURIComponent(clone)}` : ""}`,
  execution: (p: string, d: string, name: string) => `/projects/${p}/domains/${d}/executions/${name}`,
  notifications: (state = "") => `/notifications${state ? `?state=${state}` : ""}`,
  usage: (p: string, d: string, days = 30) => `/projects/${p}/domains/${d}/usage?days=${days}`,
};

export type EntityKind = "workflows" | "tasks" | "launch_plans";
