import { randomInt } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type CreateUploadLocationRequest,
  type CreateUploadLocationResponse,
  CreateUploadLocationResponseSchema,
} from "../../idl/gen/flyteidl/service/dataproxy_pb.js";
import { dataProxyUploadUri } from "../../storage/index.js";
import type { AdminContext } from "../context.js";
import { signingSeconds } from "./durations.js";
import { invalidArgument, storeFailure } from "./errors.js";
import type { DataProxyOptions } from "./options.js";

/** The alphabet of Kubernetes' `rand.String`, which flyteadmin uses for unnamed uploads. */
const RANDOM_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/**
 * DataProxy CreateUploadLocation: a URL that lets a client PUT one file, identified by its MD5, into
 * `<base>/<storagePrefix>/<org>/<project>/<domain>/<filename_root or base32(md5)>/<filename>`.
 */
export async function createUploadLocation(
  ctx: AdminContext,
  options: DataProxyOptions,
  req: CreateUploadLocationRequest,
): Promise<CreateUploadLocationResponse> {
  if (req.project === "" || req.domain === "") throw invalidArgument("project and domain are required parameters");
  if (req.filenameRoot === "" && req.contentMd5.length === 0) {
    throw invalidArgument("content_md5 or filename_root is a required parameter");
  }
  if (req.contentMd5.length !== 0 && req.contentMd5.length !== 16) {
    throw invalidArgument(`content_md5 has ${req.contentMd5.length} bytes; an MD5 digest has 16`);
  }
  const contentMd5 = req.contentMd5.length === 0 ? undefined : Buffer.from(req.contentMd5).toString("base64");
  const location = {
    project: req.project,
    domain: req.domain,
    org: req.org,
    storagePrefix: options.storagePrefix,
    filenameRoot: req.filenameRoot,
    contentMd5,
  };

  // A caller-chosen root and name make the location deterministic: refuse to overwrite another file there.
  if (req.filename !== "" && req.filenameRoot !== "") {
    const uri = nativeUri(ctx, { ...location, filename: req.filename });
    const existing = await ctx.store.head(uri).catch((error: unknown) => {
      throw storeFailure(`failed to check if file exists at location [${uri}]`, error);
    });
    if (existing !== undefined && (contentMd5 === undefined || existing.md5 !== contentMd5)) {
      throw new ConnectError(
        `file already exists at location [${uri}], specify a matching hash if you wish to rewrite`,
        Code.AlreadyExists,
      );
    }
  }

  const seconds = signingSeconds(req.expiresIn, options.uploadMaxExpiresInSeconds, "");
  if (contentMd5 === undefined) {
    // S3 could sign an MD5-less PUT; these stores bind every upload URL to the content it may write.
    throw invalidArgument("content_md5 is required: upload URLs are signed for the MD5 of the content to upload");
  }
  const filename = req.filename || randomName(options.defaultFileNameLength);
  const uri = nativeUri(ctx, { ...location, filename });
  const signed = await ctx.store.signedUploadUrl(uri, { expiresInSeconds: seconds, contentMd5 }).catch((error) => {
    throw storeFailure("failed to create a signed url", error);
  });
  return create(CreateUploadLocationResponseSchema, {
    signedUrl: signed.url,
    nativeUrl: uri,
    expiresAt: timestampFromDate(signed.expiresAt),
    headers: signed.headers,
  });
}

function nativeUri(ctx: AdminContext, location: Parameters<typeof dataProxyUploadUri>[1]): string {
  try {
    return dataProxyUploadUri(ctx.store.baseUri, location);
  } catch (error) {
    throw storeFailure("invalid upload location", error);
  }
}

function randomName(length: number): string {
  let name = "";
  for (let i = 0; i < length; i++) name += RANDOM_NAME_ALPHABET[randomInt(RANDOM_NAME_ALPHABET.length)];
  return name;
}
