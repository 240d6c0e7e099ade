// The control plane: registration, executions, events and the data proxy over one port.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { dirname } from "node:path";
import { migrate, openDatabase } from "../db/index.js";
import { DataProxyService } from "../idl/gen/flyteidl/service/dataproxy_pb.js";
import { AdminService } from "../idl/gen/flyteidl/service/admin_pb.js";
import { SignalService } from "../idl/gen/flyteidl/service/signal_pb.js";
import { openBlobStore } from "../storage/index.js";
import { attributesService } from "./attributes/index.js";
import type { AdminConfig, AdminContext } from "./context.js";
import { consoleHttpHandler } from "./console/index.js";
import { blobHttpHandler, dataProxyService } from "./dataproxy/index.js";
import { startEventsOut } from "./events-out/index.js";
import { executionService } from "./executions/index.js";
import { enqueueNotifications, notificationsHttpHandler, startNotificationSender } from "./notifications/index.js";
import { ensureDefaults, registrationService } from "./registration/index.js";
import { startScheduler } from "./scheduler/index.js";
import { type RunningAdminServer, startAdminServer } from "./server.js";
import { signalService } from "./signals/index.js";
import { UsageService, usageService } from "./usage/index.js";
import { type AdminSettings, storeBaseUri } from "./settings.js";

export { type AdminConfig, type AdminContext, DEFAULT_DOMAINS } from "./context.js";
export { type AdminSettings, readAdminSettings, SettingsError } from "./settings.js";
export { startAdminServer, type RunningAdminServer } from "./server.js";
export { type AdminTransportOptions, adminTransport } from "./client-transport.js";
export {
  hydrateLaunchPlan,
  hydrateTaskSpec,
  hydrateWorkflowSpec,
  type HydrateOptions,
} from "./registration/hydrate.js";

export interface RunningAdmin extends RunningAdminServer {
  context: AdminContext;
}

/** A free port on `host`, so that URLs naming admin's port can be made before it listens. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The local store's URL-signing key: read from its file, or made and saved on first start. */
function signingKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = randomBytes(32).toString("hex");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** Opens the metastore (migrating it) and the blob store, then serves every admin API. */
export async function startAdmin(settings: AdminSettings): Promise<RunningAdmin> {
  const port = settings.port === 0 ? await freePort(settings.host) : settings.port;
  const publicUrl = settings.publicUrl ?? `http://${settings.host}:${port}`;
  const storage =
    settings.storage.kind === "local"
      ? { ...settings.storage, publicBaseUrl: publicUrl, signingKey: signingKey(settings.signingKeyFile) }
      : settings.storage;
  const base = storeBaseUri(storage);
  const config: AdminConfig = {
    domains: settings.domains,
    defaultProject: settings.defaultProject,
    publicUrl,
    metadataPrefix: `${base}/metadata`,
    rawOutputPrefix: `${base}/data`,
    maxWorkflowNodes: settings.maxWorkflowNodes,
  };
  const db = await openDatabase(settings.database);
  try {
    await migrate(db);
    const context: AdminContext = { db, store: openBlobStore(storage), config };
    await ensureDefaults(context);
    const blobs = blobHttpHandler(context);
    const consoleRoutes = consoleHttpHandler(context);
    const notificationRoutes = notificationsHttpHandler(db);
    const server = await startAdminServer({
      host: settings.host,
      port,
      http: (req, res) => blobs(req, res) || consoleRoutes(req, res) || notificationRoutes(req, res),
      routes: (router) => {
        router.service(AdminService, {
          ...registrationService(context),
          ...executionService(context),
          ...attributesService(context),
        });
        router.service(DataProxyService, dataProxyService(context));
        router.service(SignalService, signalService(context));
        router.service(UsageService, usageService(context));
      },
    });
    const scheduler = startScheduler(context);
    // Delivery problems are kept on the outbox rows (`tsflyte get notifications`); these are the
    // metastore's own failures, retried at the next poll.
    const reportOutboxError = (error: unknown) =>
      console.error(`admin outbox: ${error instanceof Error ? error.message : String(error)}`);
    context.notify = (tx, event) => enqueueNotifications(tx, event, settings.notifications, publicUrl).then(() => {});
    const notifications = startNotificationSender(db, settings.notifications, reportOutboxError);
    const eventsOut = startEventsOut(db, settings.events, reportOutboxError);
    if (settings.events.sinks.length > 0) context.eventTopics = eventsOut.topics;
    return {
      ...server,
      context,
      close: async () => {
        await scheduler.stop();
        await server.close();
        await notifications.stop();
        await eventsOut.stop();
        await context.store.close?.();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
