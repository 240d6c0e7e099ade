/** flyteadmin's `dataProxy` settings that this port honours. */
export interface DataProxyOptions {
  /** `dataProxy.upload.maxExpiresIn`: the longest upload URL lifetime, and the default one (seconds). */
  uploadMaxExpiresInSeconds: number;
  /** `dataProxy.download.maxExpiresIn`: the same for download URLs (seconds). */
  downloadMaxExpiresInSeconds: number;
  /** `dataProxy.upload.storagePrefix`: a key prefix for every upload, empty by default. */
  storagePrefix: string;
  /** `dataProxy.upload.defaultFileNameLength`: the length of the random name given to unnamed uploads. */
  defaultFileNameLength: number;
}

/** flyteadmin's defaults (one hour both ways, no prefix, 20-character names). */
export const DEFAULT_DATA_PROXY_OPTIONS: DataProxyOptions = {
  uploadMaxExpiresInSeconds: 3600,
  downloadMaxExpiresInSeconds: 3600,
  storagePrefix: "",
  defaultFileNameLength: 20,
};
