// UsageService (proto/tsflyte/usage/v1/usage.proto): the usage query over Connect, gRPC and gRPC-Web, with the
// request checked and its defaults applied here so every client gets the same answers.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { AdminContext } from "../context.js";
import {
  type GetUsageRequest,
  GetUsageResponseSchema,
  GroupBy,
  type UsageService,
  UsageRowSchema,
} from "./gen/tsflyte/usage/v1/usage_pb.js";
import { queryUsage, type UsageFigures, type UsageGroup } from "./query.js";

/** The window when the request sets no `since`: the last week, as `tsflyte get usage` without --since. */
export const DEFAULT_WINDOW_MS = 7 * 86_400_000;

const GROUPS: Record<Exclude<GroupBy, GroupBy.UNSPECIFIED>, UsageGroup> = {
  [GroupBy.PROJECT]: "project",
  [GroupBy.DOMAIN]: "domain",
  [GroupBy.WORKFLOW]: "workflow",
  [GroupBy.LAUNCH_PLAN]: "launch_plan",
  [GroupBy.DAY]: "day",
};

const invalid = (message: string) => new ConnectError(message, Code.InvalidArgument);

export function usageService(ctx: AdminContext): ServiceImpl<typeof UsageService> {
  return {
    async getUsage(request: GetUsageRequest) {
      if (request.project === "") throw invalid("GetUsage needs a project: set `project` (tsflyte get usage -p P)");
      const until = request.until === undefined ? new Date() : timestampDate(request.until);
      const since =
        request.since === undefined ? new Date(until.getTime() - DEFAULT_WINDOW_MS) : timestampDate(request.since);
      if (since.getTime() >= until.getTime()) {
        throw invalid(
          `the window is empty: since ${since.toISOString()} is not before until ${until.toISOString()}; ` +
            "give a since earlier than until",
        );
      }
      const groupBy = request.groupBy.map((group) => {
        const name = GROUPS[group as keyof typeof GROUPS];
        if (name === undefined) {
          throw invalid(`group_by ${group} is not a grouping; use PROJECT, DOMAIN, WORKFLOW, LAUNCH_PLAN or DAY`);
        }
        return name;
      });
      const summary = await queryUsage(ctx.db, {
        project: request.project,
        domain: request.domain,
        workflow: request.workflow,
        launchPlan: request.launchPlan,
        since,
        until,
        groupBy,
      });
      return create(GetUsageResponseSchema, {
        since: timestampFromDate(since),
        until: timestampFromDate(until),
        rows: summary.rows.map(usageRow),
        total: usageRow(summary.total),
      });
    },
  };
}

/** Counts travel as int64 (bigint here); the query's figures are numbers. */
function usageRow(figures: UsageFigures) {
  return create(UsageRowSchema, {
    ...figures,
    executions: BigInt(figures.executions),
    cacheLookups: BigInt(figures.cacheLookups),
    cacheHits: BigInt(figures.cacheHits),
    taskAttempts: BigInt(figures.taskAttempts),
    measuredAttempts: BigInt(figures.measuredAttempts),
  });
}
