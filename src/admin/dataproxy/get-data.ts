import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type GetDataRequest,
  type GetDataResponse,
  GetDataResponseSchema,
} from "../../idl/gen/flyteidl/service/dataproxy_pb.js";
import type { AdminContext } from "../context.js";
import { signedDeckUrls } from "./download.js";
import { describeNode, findNodeExecution, findTaskAttempt, readInputs, readOutputs } from "./execution-data.js";
import { parseFlyteUrl } from "./flyte-url.js";
import type { DataProxyOptions } from "./options.js";

/**
 * GetData resolves a flyte:// URL: a node's (or task attempt's) inputs or outputs as a literal map, one literal of
 * them by name, or a node's deck as a pre-signed URL.
 */
export async function getData(
  ctx: AdminContext,
  options: DataProxyOptions,
  req: GetDataRequest,
): Promise<GetDataResponse> {
  const url = parseFlyteUrl(req.flyteUrl);
  if (url.kind === "deck") {
    if (url.attempt !== undefined) {
      throw new ConnectError(
        "deck type cannot be specified with a retry attempt, just use the node instead",
        Code.InvalidArgument,
      );
    }
    const urls = await signedDeckUrls(ctx, url.node, options.downloadMaxExpiresInSeconds);
    return create(GetDataResponseSchema, { data: { case: "preSignedUrls", value: urls } });
  }

  const data =
    url.attempt === undefined
      ? await findNodeExecution(ctx, url.node)
      : await findTaskAttempt(ctx, url.node, url.attempt);
  const literals = url.kind === "inputs" ? await readInputs(ctx.store, data) : await readOutputs(ctx.store, data);
  if (url.literalName === undefined)
    return create(GetDataResponseSchema, { data: { case: "literalMap", value: literals } });
  const literal = literals.literals[url.literalName];
  if (literal === undefined) {
    const where =
      url.attempt === undefined ? "node execution" : `task execution attempt ${url.attempt} of node execution`;
    throw new ConnectError(
      `name [${url.literalName}] not found in ${where} [${describeNode(url.node)}] ${url.kind}`,
      Code.InvalidArgument,
    );
  }
  return create(GetDataResponseSchema, { data: { case: "literal", value: literal } });
}
