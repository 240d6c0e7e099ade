import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AdminService } from "../idl/gen/flyteidl/service/admin_pb.js";
import { SignalService } from "../idl/gen/flyteidl/service/signal_pb.js";

/** The admin APIs the engine uses; it reaches admin only through them, as a remote engine would. */
export interface AdminApi {
  admin: Client<typeof AdminService>;
  signals: Client<typeof SignalService>;
}

/**
 * Clients for admin at `baseUrl` over Connect with binary protobuf on one HTTP/2 connection, so the many small
 * event calls of a run share a session instead of opening sockets.
 */
export function connectAdmin(baseUrl: string): AdminApi {
  const transport = createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true });
  return { admin: createClient(AdminService, transport), signals: createClient(SignalService, transport) };
}
