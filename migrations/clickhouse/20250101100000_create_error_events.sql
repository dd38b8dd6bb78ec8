-- One row per error occurrence, as an error tracker ingests them.
-- Written for ClickHouse 18.16 and later. Where a newer server has a better type it is named in
-- a comment; switch once every server you run is new enough.
-- +goose Up
CREATE TABLE error_events (
    event_id UUID,
    project_id UInt64,
    -- Groups occurrences into issues (hash of exception type + top frames).
    fingerprint String,
    -- Newer servers: DateTime64(3, 'UTC') for millisecond precision.
    timestamp DateTime,
    -- Newer servers: LowCardinality(String) (18.16 needs an experimental setting for it).
    level Enum8('debug' = 1, 'info' = 2, 'warning' = 3, 'error' = 4, 'fatal' = 5),
    message String,
    exception_type String,
    stacktrace String,
    -- Newer servers: LowCardinality(String) for release and environment.
    release String,
    environment String,
    user_id String,
    -- Newer servers: tags Map(String, String). Nested stores two parallel arrays, tags.key and tags.value.
    tags Nested(key String, value String)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, timestamp, fingerprint)
-- Newer servers (19.6+): TTL timestamp + INTERVAL 90 DAY to drop old events automatically.
SETTINGS index_granularity = 8192;

-- +goose Down
DROP TABLE error_events;
