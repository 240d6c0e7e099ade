// The usage query (issue 8): executions and compute per project, domain, workflow, launch plan and time window,
// served as tsflyte's UsageService beside AdminService (docs/admin.md "Usage").
export { GroupBy, UsageService } from "./gen/tsflyte/usage/v1/usage_pb.js";
export type { GetUsageResponse, UsageRow } from "./gen/tsflyte/usage/v1/usage_pb.js";
export {
  queryUsage,
  USAGE_GROUPS,
  type UsageFigures,
  type UsageGroup,
  type UsageQuery,
  type UsageSummary,
} from "./query.js";
export { DEFAULT_WINDOW_MS, usageService } from "./service.js";
