// Upload for a file or directory input of the launch form: the chosen file (or folder) goes to admin's blob store
// through the data proxy, with progress, and its URI fills the field. Typing a URI instead still works.
import { type ChangeEvent, useId, useState } from "react";
import { BlobType_BlobDimensionality, type LiteralType } from "../../../src/idl/gen/flyteidl/core/types_pb.js";
import { dataProxy } from "../lib/api.js";
import { HintedError } from "../lib/errors.js";
import { type CreateLocation, insideFolder, type Put, uploadDirectory, uploadFile } from "../lib/upload.js";
import { ErrorBox } from "./error-box.js";

type UploadState =
  | { state: "idle" }
  | { state: "uploading"; name: string; sent: number; total: number }
  | { state: "done"; name: string }
  | { state: "failed"; name: string; error: unknown };

interface Props {
  /** The field's type: a multipart blob is a directory, anything else one file. */
  type: LiteralType;
  scope: { project: string; domain: string };
  /** The input this upload fills, named in its label. */
  fieldName: string;
  onUploaded: (uri: string) => void;
  /** True while bytes are on their way: the form waits before launching. */
  onBusy: (busy: boolean) => void;
}

const createLocation: CreateLocation = async (request) => {
  const location = await dataProxy.createUploadLocation(request);
  return { signedUrl: location.signedUrl, nativeUrl: location.nativeUrl, headers: location.headers };
};

// XMLHttpRequest, not fetch: only it reports upload progress.
const put: Put = (url, headers, bytes, progress) =>
  new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => progress(event.loaded);
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) return resolve();
      let message = request.statusText;
      try {
        message = (JSON.parse(request.responseText) as { message?: string }).message ?? message;
      } catch {
        message = request.responseText || message;
      }
      reject(
        new HintedError(
          `the blob store answered HTTP ${request.status}: ${message}`,
          request.status === 403
            ? "The signed URL was refused (expired or altered): choose the file again for a fresh one."
            : "Choose the file again to retry; if it fails again, admin's log says why the store refused it.",
        ),
      );
    };
    request.onerror = () =>
      reject(
        new HintedError(
          `the browser could not send the bytes to ${new URL(url).origin}`,
          "Check the connection; if the blob store is on another origin (S3), it must allow PUT from this console's origin (CORS).",
        ),
      );
    // Bytes read from a File are backed by a plain ArrayBuffer, which XMLHttpRequest takes.
    request.send(bytes as Uint8Array<ArrayBuffer>);
  });

export function isUploadable(type: LiteralType): boolean {
  return type.type.case === "blob";
}

export function BlobUpload({ type, scope, fieldName, onUploaded, onBusy }: Props) {
  const id = useId();
  const [status, setStatus] = useState<UploadState>({ state: "idle" });
  const directory =
    type.type.case === "blob" && type.type.value.dimensionality === BlobType_BlobDimensionality.MULTIPART;
  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    if (files.length === 0) return;
    const name = directory ? (files[0].webkitRelativePath.split("/")[0] ?? "folder") : files[0].name;
    const total = files.reduce((sum, f) => sum + f.size, 0);
    setStatus({ state: "uploading", name, sent: 0, total });
    onBusy(true);
    const progress = (sent: number, all: number) => setStatus({ state: "uploading", name, sent, total: all });
    try {
      const items = await Promise.all(
        files.map(async (file) => ({
          path: directory ? insideFolder(file.webkitRelativePath || file.name) : file.name,
          bytes: new Uint8Array(await file.arrayBuffer()),
        })),
      );
      const uri = directory
        ? await uploadDirectory(scope, items, createLocation, put, progress)
        : await uploadFile(scope, items[0], createLocation, put, progress);
      onUploaded(uri);
      setStatus({ state: "done", name });
    } catch (error) {
      setStatus({ state: "failed", name, error });
    } finally {
      onBusy(false);
      // The same file can be chosen again (to retry) only if the input forgets the last choice.
      event.target.value = "";
    }
  };
  // `webkitdirectory` is not in React's types; every browser the console supports knows it.
  const folderPicker = directory ? { webkitdirectory: "", multiple: true } : {};
  return (
    <div className="upload">
      <label htmlFor={`${id}-file`}>
        or upload {directory ? "a folder" : "a file"} <span className="visually-hidden">for {fieldName}</span>
      </label>
      <input
        id={`${id}-file`}
        type="file"
        {...folderPicker}
        disabled={status.state === "uploading"}
        onChange={choose}
      />
      {status.state === "uploading" && (
        <div className="upload-progress" aria-live="polite">
          <progress max={Math.max(1, status.total)} value={status.sent} aria-label={`uploading ${status.name}`} />{" "}
          <span className="muted">
            uploading {status.name}: {percent(status.sent, status.total)}
          </span>
        </div>
      )}
      {status.state === "done" && (
        <small className="muted" role="status">
          Uploaded {status.name}; its URI is in the field above.
        </small>
      )}
      {status.state === "failed" && <ErrorBox what={`Could not upload ${status.name}`} error={status.error} />}
    </div>
  );
}

function percent(sent: number, total: number): string {
  return total === 0 ? "100%" : `${Math.min(100, Math.floor((sent / total) * 100))}%`;
}
