-- Issues: error_events aggregated by (project_id, fingerprint), kept current by a materialized
-- view. Columns hold aggregate states; read them with the -Merge combinators, e.g.
--   SELECT project_id, fingerprint, minMerge(first_seen), maxMerge(last_seen), countMerge(events),
--          argMaxMerge(last_message) FROM issues GROUP BY project_id, fingerprint
-- Newer servers (19.8+) could use SimpleAggregateFunction(min/max, ...) for the plain columns.
-- +goose Up
CREATE TABLE issues (
    project_id UInt64,
    fingerprint String,
    first_seen AggregateFunction(min, DateTime),
    last_seen AggregateFunction(max, DateTime),
    events AggregateFunction(count),
    last_message AggregateFunction(argMax, String, DateTime),
    exception_type AggregateFunction(any, String),
    last_level AggregateFunction(argMax, Enum8('debug' = 1, 'info' = 2, 'warning' = 3, 'error' = 4, 'fatal' = 5), DateTime)
) ENGINE = AggregatingMergeTree()
ORDER BY (project_id, fingerprint);

-- TO a named table (rather than an inner table) so the view can be dropped and recreated
-- without losing the aggregated data.
CREATE MATERIALIZED VIEW issues_mv TO issues AS
SELECT
    project_id,
    fingerprint,
    minState(timestamp) AS first_seen,
    maxState(timestamp) AS last_seen,
    countState() AS events,
    argMaxState(message, timestamp) AS last_message,
    anyState(exception_type) AS exception_type,
    argMaxState(level, timestamp) AS last_level
FROM error_events
GROUP BY project_id, fingerprint;

-- +goose Down
DROP TABLE issues_mv;
DROP TABLE issues;
