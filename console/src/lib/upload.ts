// Uploading a launch form's file or directory input through admin's data proxy: CreateUploadLocation for the
// content's MD5, a PUT of the bytes to the signed URL, and the returned native URI (s3://..., file://...) becomes
// the blob literal's uri. A directory is its files uploaded under one shared root; its URI is that root.
import { md5, toBase64, toHex } from "./md5.js";

/** One file to upload; `path` is relative to the directory for a directory upload, else the file's name. */
export interface UploadItem {
  path: string;
  bytes: Uint8Array;
}

/** Bytes sent so far of all of an upload's files. */
export type Progress = (sent: number, total: number) => void;

export interface UploadLocation {
  signedUrl: string;
  nativeUrl: string;
  headers: Record<string, string>;
}

/** The data proxy call, as the console's client makes it (passed in so the logic runs without a browser). */
export type CreateLocation = (request: {
  project: string;
  domain: string;
  filename: string;
  filenameRoot: string;
  contentMd5: Uint8Array;
}) => Promise<UploadLocation>;

/** Sends `bytes` to `url` with `headers`, reporting bytes sent; throws an Error saying what failed. */
export type Put = (
  url: string,
  headers: Record<string, string>,
  bytes: Uint8Array,
  progress: (sent: number) => void,
) => Promise<void>;

/**
 * The shared root of a directory upload, named by its content (every path and file digest), so the same folder
 * uploaded twice lands in the same place and admin's "already exists with another MD5" check never trips.
 */
export function directoryRoot(items: { path: string; digest: Uint8Array }[]): string {
  const manifest = [...items]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((item) => `${item.path}\0${toHex(item.digest)}\n`)
    .join("");
  return `console-dir-${toHex(md5(new TextEncoder().encode(manifest)))}`;
}

/** The directory's URI from one file's native URI: the part before that file's relative path. */
export function directoryUri(nativeUrl: string, path: string): string {
  const suffix = `/${path}`;
  if (!nativeUrl.endsWith(suffix)) throw new Error(`admin placed ${path} at ${nativeUrl}, not under one folder`);
  return nativeUrl.slice(0, -suffix.length);
}

/** `webkitRelativePath` ("folder/sub/a.txt") without the chosen folder's own name: paths inside the directory. */
export function insideFolder(relativePath: string): string {
  const slash = relativePath.indexOf("/");
  return slash < 0 ? relativePath : relativePath.slice(slash + 1);
}

/** Uploads one file; resolves to its native URI. */
export async function uploadFile(
  scope: { project: string; domain: string },
  item: UploadItem,
  createLocation: CreateLocation,
  put: Put,
  progress: Progress,
): Promise<string> {
  const digest = md5(item.bytes);
  const location = await createLocation({ ...scope, filename: item.path, filenameRoot: "", contentMd5: digest });
  await put(location.signedUrl, headersFor(location, digest), item.bytes, (sent) => progress(sent, item.bytes.length));
  return location.nativeUrl;
}

/** Uploads a directory's files one after another; resolves to the directory's native URI. */
export async function uploadDirectory(
  scope: { project: string; domain: string },
  items: UploadItem[],
  createLocation: CreateLocation,
  put: Put,
  progress: Progress,
): Promise<string> {
  if (items.length === 0) throw new Error("the folder is empty: choose a folder with at least one file");
  const digests = items.map((item) => ({ path: item.path, digest: md5(item.bytes) }));
  const filenameRoot = directoryRoot(digests);
  const total = items.reduce((sum, item) => sum + item.bytes.length, 0);
  let done = 0;
  let uri = "";
  for (const [i, item] of items.entries()) {
    const digest = digests[i].digest;
    const location = await createLocation({ ...scope, filename: item.path, filenameRoot, contentMd5: digest });
    await put(location.signedUrl, headersFor(location, digest), item.bytes, (sent) => progress(done + sent, total));
    done += item.bytes.length;
    uri = directoryUri(location.nativeUrl, item.path);
  }
  return uri;
}

function headersFor(location: UploadLocation, digest: Uint8Array): Record<string, string> {
  // The data proxy names the headers its signature covers; Content-MD5 is always one of them.
  const headers = { ...location.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-md5"))
    headers["Content-MD5"] = toBase64(digest);
  return headers;
}
