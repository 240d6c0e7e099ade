import type { BlobStore } from "./blob-store.js";
import { LocalBlobStore, type LocalBlobStoreOptions } from "./local-store.js";
import { S3BlobStore, type S3BlobStoreOptions } from "./s3-store.js";

/** The `storage` section of tsflyte's configuration. */
export type BlobStoreConfig =
  | ({ kind: "local"; root: string } & LocalBlobStoreOptions)
  | ({ kind: "s3" } & S3BlobStoreOptions);

export function openBlobStore(config: BlobStoreConfig): BlobStore {
  switch (config.kind) {
    case "local": {
      const { root, ...options } = config;
      return new LocalBlobStore(root, options);
    }
    case "s3": {
      const { kind: _, ...options } = config;
      return new S3BlobStore(options);
    }
    default:
      throw new TypeError(
        `storage kind ${JSON.stringify((config as { kind: unknown }).kind)} is not supported; use "local" or "s3"`,
      );
  }
}
