// Admin's SignalService: the values gate nodes wait for.
import type { ServiceImpl } from "@connectrpc/connect";
import type { SignalService } from "../../idl/gen/flyteidl/service/signal_pb.js";
import type { AdminContext } from "../context.js";
import { toConnectError } from "../executions/errors.js";
import { getOrCreateSignal, listSignals, setSignal } from "./signals.js";

/** Binds a handler to the context and maps metastore errors (bad filters, tokens) to admin codes. */
function handler<Req, Res>(ctx: AdminContext, fn: (ctx: AdminContext, request: Req) => Promise<Res>) {
  return async (request: Req): Promise<Res> => {
    try {
      return await fn(ctx, request);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}

export function signalService(ctx: AdminContext): ServiceImpl<typeof SignalService> {
  return {
    getOrCreateSignal: handler(ctx, getOrCreateSignal),
    listSignals: handler(ctx, listSignals),
    setSignal: handler(ctx, setSignal),
  };
}
