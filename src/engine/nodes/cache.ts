// Task caching (flytepropeller nodes/cache.go with datacatalog): before a cacheable task runs, its outputs are
// looked up by task, cache version and input hash; a hit finishes the node without running anything. With
// cache_serializable, one execution computes while identical ones wait on its reservation.
import { CatalogCacheStatus } from "../../idl/gen/flyteidl/core/catalog_pb.js";
import { ResourceType, type TaskTemplate } from "../../idl/index.js";
import { fixedLengthUniqueId, joinUri, nodeOutputDir } from "../../storage/index.js";
import { type CatalogKey, catalogKey } from "../catalog/index.js";
import type { NodeContext } from "../context.js";
import { emptyLiteralMap } from "../literals.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";

/** A serialized-cache reservation lapses unless renewed this often (flytepropeller: the re-evaluation interval). */
const RESERVATION_TTL_MS = 10_000;
const RESERVATION_POLL_MS = 200;

export type CacheDecision = "run" | "done" | "wait";

const cacheable = (task: TaskTemplate) => task.metadata?.discoverable === true;

/** The node's cache status and key as its events report them (admin keeps the status only with a key). */
export function cacheMetadata(status: CatalogCacheStatus, key: CatalogKey) {
  return {
    case: "taskNodeMetadata" as const,
    value: {
      cacheStatus: status,
      catalogKey: {
        datasetId: {
          resourceType: ResourceType.DATASET,
          project: key.datasetProject,
          domain: key.datasetDomain,
          name: key.datasetName,
          version: key.datasetVersion,
        },
        artifactTag: { name: key.tag },
      },
    },
  };
}

/**
 * Looks the queued node up in the cache. `done`: a hit, the node has succeeded; `wait`: another execution holds
 * the reservation for these inputs; `run`: run the task (a miss, caching off, or overwrite_cache).
 */
export async function lookUpCache(ctx: NodeContext, task: TaskTemplate): Promise<CacheDecision> {
  const { exec, state } = ctx;
  if (!cacheable(task) || exec.catalog === undefined) return "run";
  const inputs = await exec.literals.read(joinUri(ctx.dataDir, "inputs.pb"));
  const key = catalogKey(task, inputs);
  if (exec.spec.overwriteCache) {
    state.cacheStatus = CatalogCacheStatus.CACHE_SKIPPED;
    return "run";
  }
  const hit = await exec.catalog.get(key);
  if (hit !== undefined) {
    const outputUri = joinUri(nodeOutputDir(ctx.dataDir, state.attempts), "outputs.pb");
    await exec.literals.write(outputUri, hit.outputs);
    state.phase = "Succeeded";
    state.outputUri = outputUri;
    state.cacheStatus = CatalogCacheStatus.CACHE_HIT;
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, {
      outputUri,
      extra: { targetMetadata: cacheMetadata(CatalogCacheStatus.CACHE_HIT, key) },
    });
    return "done";
  }
  if (task.metadata?.cacheSerializable) {
    const reservation = await exec.catalog.acquireReservation(key, reservationOwner(ctx), RESERVATION_TTL_MS);
    if (!reservation.acquired) {
      exec.wakeAfter(RESERVATION_POLL_MS);
      return "wait";
    }
  }
  state.cacheStatus = CatalogCacheStatus.CACHE_MISS;
  return "run";
}

/** Keeps a serialized-cache reservation alive while the attempt runs. */
export async function renewReservation(ctx: NodeContext, task: TaskTemplate): Promise<void> {
  if (!cacheable(task) || !task.metadata?.cacheSerializable || ctx.exec.catalog === undefined) return;
  const inputs = await ctx.exec.literals.read(joinUri(ctx.dataDir, "inputs.pb"));
  await ctx.exec.catalog.acquireReservation(catalogKey(task, inputs), reservationOwner(ctx), RESERVATION_TTL_MS);
}

/** After a successful run: store the outputs (CACHE_POPULATED, or CACHE_PUT_FAILURE, which is not fatal). */
export async function storeInCache(ctx: NodeContext, task: TaskTemplate, outputUri: string | undefined) {
  const { exec, state } = ctx;
  if (!cacheable(task) || exec.catalog === undefined) return undefined;
  const inputs = await exec.literals.read(joinUri(ctx.dataDir, "inputs.pb"));
  const key = catalogKey(task, inputs);
  try {
    const outputs = outputUri === undefined ? emptyLiteralMap() : await exec.literals.read(outputUri);
    await exec.catalog.put(key, outputs, {
      project: exec.id.project,
      domain: exec.id.domain,
      executionName: exec.id.name,
      nodeId: ctx.uniqueId,
      attempt: state.attempts,
    });
    state.cacheStatus = CatalogCacheStatus.CACHE_POPULATED;
  } catch {
    state.cacheStatus = CatalogCacheStatus.CACHE_PUT_FAILURE;
  }
  if (task.metadata?.cacheSerializable) await exec.catalog.releaseReservation(key, reservationOwner(ctx));
  return cacheMetadata(state.cacheStatus, key);
}

const reservationOwner = (ctx: NodeContext) =>
  fixedLengthUniqueId(50, [ctx.exec.id.name, ctx.uniqueId, String(ctx.state.attempts)]);
