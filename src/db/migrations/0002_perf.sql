-- Listing executions (issue: admin budgets, bench/admin.ts). ListExecutions always filters on
-- state (ACTIVE unless the caller asks about state) and sorts by created_at with id as the
-- tiebreak; with these indexes rows come in page order, so there is no sort and a deep page
-- (offset token) only walks the index. The (project, domain[, phase], created_at) indexes of
-- 0001 needed an incremental sort of every row before the page (44 ms -> 19 ms at offset 25,000
-- of 100,000 on PGlite). Those stay for queries that do not filter on state.
CREATE INDEX executions_listing ON executions (project, domain, state, created_at, id);
CREATE INDEX executions_listing_by_phase ON executions (project, domain, phase, state, created_at, id);
