// The task cache kept in a blob store, in place of Flyte's datacatalog service. One blob per cached
// execution, `<baseUri>/catalog/<project>/<domain>/<datasetName>/<datasetVersion>/<tag>.pb`, holding a
// flyteidl `cacheservice.CachedOutput` (the outputs LiteralMap plus who produced them and when); a
// serialized-cache reservation sits beside it as `<tag>.reservation.pb`, a `cacheservice.Reservation`.
//
// Reservations are exact within one process (every read-decide-write on a key runs under a per-key lock).
// Across processes sharing a store they are best effort: a blob store has no compare-and-swap here, so two
// processes that read an absent or expired reservation at the same moment can both write theirs. Each
// acquirer reads its write back and reports `acquired: false` when another owner's write landed last, which
// narrows that window to the two writes and the read-back overlapping; it does not close it. The cost of
// losing is duplicate work, never a wrong result: both executions compute the same outputs.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { LiteralMap } from "../../idl/index.js";
// cacheservice is generated with the rest of flyteidl but not re-exported by src/idl's public surface.
import {
  CachedOutputSchema,
  type Reservation,
  ReservationSchema,
} from "../../idl/gen/flyteidl/cacheservice/cacheservice_pb.js";
import { type BlobStore, getIfPresent, joinUri } from "../../storage/index.js";
import type { CatalogKey } from "./key.js";
import { KeyLock } from "./key-lock.js";

/** The task execution whose outputs were cached (Flyte's artifact metadata). */
export interface CacheSource {
  project: string;
  domain: string;
  executionName: string;
  nodeId: string;
  attempt: number;
}

export interface CachedEntry {
  outputs: LiteralMap;
  source: CacheSource;
  createdAt: Date;
}

export interface ReservationResult {
  /** True when `ownerId` (the caller) now holds the reservation. */
  acquired: boolean;
  /** The holder: the caller when acquired, else the other owner. */
  ownerId: string;
  expiresAt: Date;
}

export interface BlobCatalogOptions {
  /** The clock for reservation expiry; tests pass a fake one. */
  now?: () => Date;
}

// Flyte's artifact metadata keys (catalog/datacatalog/transformer.go), so an entry reads like datacatalog's.
const EXEC_PROJECT = "exec-project";
const EXEC_DOMAIN = "exec-domain";
const EXEC_NAME = "execution-name";
const EXEC_NODE = "exec-node";
const EXEC_ATTEMPT = "exec-attempt";

export class BlobCatalog {
  private readonly locks = new KeyLock();
  private readonly now: () => Date;

  constructor(
    private readonly store: BlobStore,
    private readonly baseUri: string,
    options: BlobCatalogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The cached outputs for the key, or undefined on a miss. */
  async get(key: CatalogKey): Promise<CachedEntry | undefined> {
    const uri = this.entryUri(key);
    const bytes = await getIfPresent(this.store, uri);
    if (bytes === undefined) return undefined;
    const entry = fromBinary(CachedOutputSchema, bytes);
    if (entry.output.case !== "outputLiterals") {
      throw new Error(
        `catalog entry ${uri} holds no output literals (output is ${entry.output.case ?? "unset"}); ` +
          "it was not written by tsflyte's catalog: delete it to let the task run and repopulate the cache",
      );
    }
    const keys = entry.metadata?.keyMap?.values ?? {};
    return {
      outputs: entry.output.value,
      source: {
        project: keys[EXEC_PROJECT] ?? "",
        domain: keys[EXEC_DOMAIN] ?? "",
        executionName: keys[EXEC_NAME] ?? "",
        nodeId: keys[EXEC_NODE] ?? "",
        attempt: Number(keys[EXEC_ATTEMPT] ?? "0"),
      },
      createdAt: entry.metadata?.createdAt ? timestampDate(entry.metadata.createdAt) : new Date(0),
    };
  }

  /** Stores (or replaces) the outputs for the key. */
  async put(key: CatalogKey, outputs: LiteralMap, source: CacheSource): Promise<void> {
    const now = timestampFromDate(this.now());
    const entry = create(CachedOutputSchema, {
      output: { case: "outputLiterals", value: outputs },
      metadata: {
        keyMap: {
          values: {
            [EXEC_PROJECT]: source.project,
            [EXEC_DOMAIN]: source.domain,
            [EXEC_NAME]: source.executionName,
            [EXEC_NODE]: source.nodeId,
            [EXEC_ATTEMPT]: String(source.attempt),
          },
        },
        createdAt: now,
        lastUpdatedAt: now,
      },
    });
    await this.store.put(this.entryUri(key), toBinary(CachedOutputSchema, entry));
  }

  /**
   * Takes the reservation for `ownerId` until now + `ttlMs` when it is free, expired or already the caller's
   * (which extends it); otherwise reports the live holder.
   */
  async acquireReservation(key: CatalogKey, ownerId: string, ttlMs: number): Promise<ReservationResult> {
    if (ownerId === "") throw new Error("catalog reservation: ownerId is empty; pass the attempt's unique id");
    if (!(ttlMs > 0)) throw new Error(`catalog reservation: ttlMs is ${ttlMs}; pass a positive heartbeat interval`);
    const uri = this.reservationUri(key);
    return this.locks.run(uri, async () => {
      const now = this.now();
      const held = await this.readReservation(uri);
      if (held !== undefined && held.ownerId !== ownerId && expiry(held) > now) {
        return { acquired: false, ownerId: held.ownerId, expiresAt: expiry(held) };
      }
      const expiresAt = new Date(now.getTime() + ttlMs);
      const mine = create(ReservationSchema, {
        key: uri,
        ownerId,
        heartbeatInterval: durationFromMs(ttlMs),
        expiresAt: timestampFromDate(expiresAt),
      });
      await this.store.put(uri, toBinary(ReservationSchema, mine));
      // Another process may have written between our read and write; the last write is the holder.
      const landed = await this.readReservation(uri);
      if (landed !== undefined && landed.ownerId !== ownerId) {
        return { acquired: false, ownerId: landed.ownerId, expiresAt: expiry(landed) };
      }
      return { acquired: true, ownerId, expiresAt };
    });
  }

  /** Gives up the caller's reservation; a reservation held by another owner (or none) is left alone. */
  async releaseReservation(key: CatalogKey, ownerId: string): Promise<void> {
    const uri = this.reservationUri(key);
    await this.locks.run(uri, async () => {
      const held = await this.readReservation(uri);
      if (held?.ownerId === ownerId) await this.store.delete(uri);
    });
  }

  private entryUri(key: CatalogKey): string {
    return joinUri(this.datasetUri(key), `${key.tag}.pb`);
  }

  private reservationUri(key: CatalogKey): string {
    return joinUri(this.datasetUri(key), `${key.tag}.reservation.pb`);
  }

  private datasetUri(key: CatalogKey): string {
    return joinUri(this.baseUri, "catalog", key.datasetProject, key.datasetDomain, key.datasetName, key.datasetVersion);
  }

  private async readReservation(uri: string): Promise<Reservation | undefined> {
    const bytes = await getIfPresent(this.store, uri);
    return bytes === undefined ? undefined : fromBinary(ReservationSchema, bytes);
  }
}

function expiry(reservation: Reservation): Date {
  return reservation.expiresAt ? timestampDate(reservation.expiresAt) : new Date(0);
}
