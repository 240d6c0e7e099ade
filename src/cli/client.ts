import { type Client, createClient } from "@connectrpc/connect";
import { adminTransport } from "../admin/index.js";
import { DataProxyService } from "../idl/gen/flyteidl/service/dataproxy_pb.js";
import { AdminService } from "../idl/gen/flyteidl/service/admin_pb.js";
import { SignalService } from "../idl/gen/flyteidl/service/signal_pb.js";

export interface AdminClients {
  admin: Client<typeof AdminService>;
  dataProxy: Client<typeof DataProxyService>;
  signals: Client<typeof SignalService>;
}

/** Clients for admin at `baseUrl`, over Connect with binary protobuf on HTTP/1.1 (src/admin/client-transport.ts). */
export function adminClients(baseUrl: string): AdminClients {
  const transport = adminTransport(baseUrl);
  return {
    admin: createClient(AdminService, transport),
    dataProxy: createClient(DataProxyService, transport),
    signals: createClient(SignalService, transport),
  };
}
