import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { DataProxyService } from "../idl/gen/flyteidl/service/dataproxy_pb.js";
import { AdminService } from "../idl/gen/flyteidl/service/admin_pb.js";
import { SignalService } from "../idl/gen/flyteidl/service/signal_pb.js";

export interface AdminClients {
  admin: Client<typeof AdminService>;
  dataProxy: Client<typeof DataProxyService>;
  signals: Client<typeof SignalService>;
}

/** Clients for admin at `baseUrl`, over Connect with binary protobuf on HTTP/1.1. */
export function adminClients(baseUrl: string): AdminClients {
  const transport = createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true });
  return {
    admin: createClient(AdminService, transport),
    dataProxy: createClient(DataProxyService, transport),
    signals: createClient(SignalService, transport),
  };
}
