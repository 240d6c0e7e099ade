// Clients for admin's services over the Connect protocol (binary), from the page's own origin: admin serves
// the console and the RPCs on one port.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AdminService } from "../../../src/idl/gen/flyteidl/service/admin_pb.js";
import { DataProxyService } from "../../../src/idl/gen/flyteidl/service/dataproxy_pb.js";
import { SignalService } from "../../../src/idl/gen/flyteidl/service/signal_pb.js";
import { UsageService } from "../../../src/admin/usage/gen/tsflyte/usage/v1/usage_pb.js";

const transport = createConnectTransport({ baseUrl: window.location.origin, useBinaryFormat: true });

export const admin = createClient(AdminService, transport);
export const dataProxy = createClient(DataProxyService, transport);
export const signals = createClient(SignalService, transport);
export const usage = createClient(UsageService, transport);

/** A JSON route of admin's (not an RPC), or an Error carrying its `{message}` with the status. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(`HTTP ${response.status}: ${body.message ?? response.statusText}`);
  }
  return (await response.json()) as T;
}

/** A console API route's JSON (`/console/api/<path>`). */
export function consoleApi<T>(path: string): Promise<T> {
  return getJson<T>(`/console/api/${path}`);
}

/** A task log's text, fetched through admin (logs are blob store URIs a browser cannot open). */
export async function fetchLog(uri: string): Promise<string> {
  const response = await fetch(`/console/api/logs?uri=${encodeURIComponent(uri)}`);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(`HTTP ${response.status}: ${body.message ?? response.statusText}`);
  }
  return response.text();
}
