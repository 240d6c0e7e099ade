// Blob storage: a local directory (file:// URIs, the default) or S3 (s3:// URIs), signed upload and download
// URLs, and Flyte's layout of execution data inside a store.
export type {
  BlobInfo,
  BlobStore,
  PutOptions,
  SignedDownload,
  SignedUpload,
  SignedUploadOptions,
  SignedUrlOptions,
} from "./blob-store.js";
export { getIfPresent } from "./blob-store.js";
export { MAX_SIGNED_URL_SECONDS } from "./checks.js";
export { BlobIntegrityError, BlobNotFoundError, BlobStoreError, InvalidBlobUriError } from "./errors.js";
export {
  adminExecutionPrefix,
  attemptUniqueId,
  checkpointPrefix,
  childNodeDataDir,
  dataProxyUploadUri,
  defaultRawOutputPrefix,
  type ExecutionId,
  fixedLengthUniqueId,
  nodeOutputDir,
  nodeUniqueId,
  rawAttemptPrefix,
  topLevelNodeDataDir,
  type UploadLocation,
  workflowDataDir,
} from "./layout.js";
export { LocalBlobStore, type LocalBlobStoreOptions } from "./local-store.js";
export { type BlobStoreConfig, openBlobStore } from "./open.js";
export { S3BlobStore, type S3BlobStoreOptions } from "./s3-store.js";
export { joinUri } from "./uri.js";
export type { SignedRequestCheck, SignedRequestRefusal } from "./url-signing.js";
