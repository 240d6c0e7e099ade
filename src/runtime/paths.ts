import { fileURLToPath } from "node:url";

/**
 * A local path for a data location. The runtime reads and writes local paths and file://
 * URIs; object stores arrive with the blob-store component.
 */
export function localPath(location: string): string {
  if (location.startsWith("file://")) return fileURLToPath(location);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new Error(
      `${location}: this runtime reads local paths and file:// URIs only, not ${location.split(":")[0]}://`,
    );
  }
  return location;
}
