/** How entities are serialized: where they register and how their tasks start. */
export interface SerializationSettings {
  /** Identifier fields; pyflyte-style placeholders when packaging for later registration. */
  project: string;
  domain: string;
  version: string;
  /** Image for tasks that do not name their own. */
  image: string;
  /** Fast registration: the code bundle location and where tasks unpack it. */
  fast?: { distribution: string; destDir: string };
  /** Environment added to every task container. */
  env?: Record<string, string>;
}

/** Placeholders that `register files` fills in, as older pyflyte archives carry them. */
export const PLACEHOLDERS = {
  project: "{{ registration.project }}",
  domain: "{{ registration.domain }}",
  version: "{{ registration.version }}",
  remotePackagePath: "{{ .remote_package_path }}",
  destDir: "{{ .dest_dir }}",
} as const;

export const DEFAULT_IMAGE = "ghcr.io/tsflyte/tsflyte:latest";

/** Settings for an archive registered later: identifiers left as placeholders. */
export function placeholderSettings(image: string, fast?: SerializationSettings["fast"]): SerializationSettings {
  return { project: PLACEHOLDERS.project, domain: PLACEHOLDERS.domain, version: PLACEHOLDERS.version, image, fast };
}
