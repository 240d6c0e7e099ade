import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ArtifactType,
  type CreateDownloadLinkRequest,
  type CreateDownloadLinkResponse,
  CreateDownloadLinkResponseSchema,
  type CreateDownloadLocationRequest,
  type CreateDownloadLocationResponse,
  CreateDownloadLocationResponseSchema,
  type PreSignedURLs,
  PreSignedURLsSchema,
} from "../../idl/gen/flyteidl/service/dataproxy_pb.js";
import type { AdminContext } from "../context.js";
import { signingSeconds } from "./durations.js";
import { invalidArgument, storeFailure } from "./errors.js";
import { describeNode, findNodeExecution, type NodeExecutionRef } from "./execution-data.js";
import type { DataProxyOptions } from "./options.js";

/** CreateDownloadLocation (deprecated in Flyte, still used by older clients): a signed GET URL for a native URL. */
export async function createDownloadLocation(
  ctx: AdminContext,
  options: DataProxyOptions,
  req: CreateDownloadLocationRequest,
): Promise<CreateDownloadLocationResponse> {
  const context = "error while validating request: ";
  const seconds = signingSeconds(req.expiresIn, options.downloadMaxExpiresInSeconds, context);
  if (req.nativeUrl === "") throw invalidArgument(`${context}native_url is required`);
  const signed = await ctx.store.signedDownloadUrl(req.nativeUrl, { expiresInSeconds: seconds }).catch((error) => {
    throw storeFailure("failed to create a signed url", error);
  });
  return create(CreateDownloadLocationResponseSchema, {
    signedUrl: signed.url,
    expiresAt: timestampFromDate(signed.expiresAt),
  });
}

/** CreateDownloadLink: a signed GET URL for a node execution's artifact (Flyte defines only the deck). */
export async function createDownloadLink(
  ctx: AdminContext,
  options: DataProxyOptions,
  req: CreateDownloadLinkRequest,
): Promise<CreateDownloadLinkResponse> {
  const context = "error while validating request. Error: ";
  const seconds = signingSeconds(req.expiresIn, options.downloadMaxExpiresInSeconds, context);
  if (req.artifactType !== ArtifactType.DECK) {
    throw invalidArgument(`${context}invalid artifact type [${ArtifactType[req.artifactType] ?? req.artifactType}]`);
  }
  if (req.source.case !== "nodeExecutionId") throw invalidArgument(`${context}source is required. Provided nil`);
  const id = req.source.value;
  const urls = await signedDeckUrls(
    ctx,
    {
      project: id.executionId?.project ?? "",
      domain: id.executionId?.domain ?? "",
      name: id.executionId?.name ?? "",
      nodeId: id.nodeId,
    },
    seconds,
  );
  return create(CreateDownloadLinkResponseSchema, {
    signedUrl: urls.signedUrl,
    expiresAt: urls.expiresAt,
    preSignedUrls: urls,
  });
}

/** A signed GET URL for the node execution's deck, which must already be written. */
export async function signedDeckUrls(
  ctx: AdminContext,
  ref: NodeExecutionRef,
  seconds: number,
): Promise<PreSignedURLs> {
  const node = await findNodeExecution(ctx, ref).catch((error: unknown) => {
    // flyteadmin reports an unknown node as the caller's mistake here.
    throw new ConnectError(
      `failed to find node execution [${describeNode(ref)}]. Error: ${ConnectError.from(error).rawMessage}`,
      Code.InvalidArgument,
    );
  });
  const deckUri = node.closure.deckUri;
  if (deckUri === "") {
    throw new ConnectError(`no deckUrl found for node execution [${describeNode(ref)}]`, Code.Internal);
  }
  const exists = await ctx.store.head(deckUri).catch((error: unknown) => {
    throw storeFailure(`Failed to check the existence of the URL [${deckUri}]`, error);
  });
  if (exists === undefined) {
    throw new ConnectError(
      `URL [${deckUri}] does not exist yet. Please try again later. If you are using the real-time deck, this could be because the 'persist' function has not been called yet.`,
      Code.NotFound,
    );
  }
  const signed = await ctx.store.signedDownloadUrl(deckUri, { expiresInSeconds: seconds }).catch((error) => {
    throw storeFailure("failed to create a signed url", error);
  });
  return create(PreSignedURLsSchema, { signedUrl: [signed.url], expiresAt: timestampFromDate(signed.expiresAt) });
}
