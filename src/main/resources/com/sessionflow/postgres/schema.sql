-- sessionflow's tables in PostgreSQL, written by the sessions-to-PostgreSQL job (PostgresJob),
-- which applies this file at every start: each statement can run again over what it made.
-- Tables go to the connection's schema (set currentSchema in the JDBC URL for another one).
--
-- sessions and session_metrics hold what the compacted topics hold: one row per key, the
-- latest record. Every column but the key is also in `record`, the record's whole JSON, so that a
-- field added to the record format later can be sliced by (record->>'field') before it gets a
-- column.

CREATE TABLE IF NOT EXISTS sessions (
    session_key        text PRIMARY KEY,          -- the topic's key: <owner>/<session_id>[/<group>]
    owner              text NOT NULL,
    user_id            text,
    device_id          text,
    session_id         bigint NOT NULL,           -- epoch ms; the chart counts a session here
    session_start      timestamptz NOT NULL,      -- session_id as a timestamp
    start_time         timestamptz NOT NULL,      -- the first event
    end_time           timestamptz NOT NULL,      -- the last event
    length_ms          bigint NOT NULL,
    event_count        integer NOT NULL,
    active_event_count integer NOT NULL,
    zero_length        boolean NOT NULL,
    zero_length_cause  text,                      -- why the length is 0 (docs/inspect.md, the FAQ)
    empty              boolean NOT NULL,
    over_limit         boolean NOT NULL,
    over_rate          boolean NOT NULL,
    engaged            boolean NOT NULL,           -- GA4's engaged session; the others bounce
    conversion         boolean NOT NULL,
    platform           text,
    os_name            text,
    app_version        text,
    first_event_type   text,
    last_event_type    text,
    definition         text NOT NULL,
    session_source     text,
    session_property   text,
    session_id_problem text,                      -- an SDK session_id that cannot be the start
    revision           integer NOT NULL,
    close_reason       text,
    record             jsonb NOT NULL
);

-- the chart's time range, alone and per platform; an owner's sessions (a user's timeline)
CREATE INDEX IF NOT EXISTS sessions_session_start ON sessions (session_start);
CREATE INDEX IF NOT EXISTS sessions_platform_session_start ON sessions (platform, session_start);
CREATE INDEX IF NOT EXISTS sessions_owner ON sessions (owner, session_start);

CREATE TABLE IF NOT EXISTS session_metrics (
    metrics_key            text PRIMARY KEY,      -- the topic's key: <bucket_start>/<platform>
    bucket_start           timestamptz NOT NULL,
    bucket_end             timestamptz NOT NULL,
    platform               text NOT NULL,         -- a platform, unknown, or all
    sessions               bigint NOT NULL,
    length_sessions        bigint NOT NULL,
    time_spent_ms          bigint NOT NULL,
    average_length_ms      double precision,
    distinct_users         bigint NOT NULL,
    time_spent_per_user_ms double precision,
    sessions_per_user      double precision,
    events                 bigint NOT NULL,
    events_per_session     double precision,
    length_distribution    jsonb NOT NULL,        -- [{"from_ms","to_ms","sessions"}, ...]
    p50_length_ms          double precision,
    p90_length_ms          double precision,
    p99_length_ms          double precision,
    zero_length_sessions   bigint NOT NULL,
    empty_sessions         bigint NOT NULL,
    over_limit_sessions    bigint NOT NULL,
    out_of_session_events  bigint NOT NULL,
    engaged_sessions       bigint NOT NULL,
    engagement_rate        double precision,
    bounce_rate            double precision,
    final                  boolean NOT NULL,
    definition             text NOT NULL,
    record                 jsonb NOT NULL
);

CREATE INDEX IF NOT EXISTS session_metrics_bucket ON session_metrics (platform, bucket_start);

-- Amplitude's default length bins of the User Sessions chart, the job's --length-bins default:
-- [from_ms, to_ms), the last one open-ended as in the metrics topic. Change the rows to match
-- another --length-bins.
CREATE TABLE IF NOT EXISTS session_length_bins (
    bin     integer PRIMARY KEY,
    from_ms bigint NOT NULL UNIQUE,
    to_ms   bigint NOT NULL,
    label   text NOT NULL
);
INSERT INTO session_length_bins (bin, from_ms, to_ms, label) VALUES
    (0, 0, 3000, '0s-3s'),
    (1, 3000, 10000, '3s-10s'),
    (2, 10000, 30000, '10s-30s'),
    (3, 30000, 60000, '30s-1m'),
    (4, 60000, 180000, '1m-3m'),
    (5, 180000, 600000, '3m-10m'),
    (6, 600000, 1800000, '10m-30m'),
    (7, 1800000, 3600000, '30m-1h'),
    (8, 3600000, 86400000, '1h-1d')
ON CONFLICT DO NOTHING;

-- One row per session with what the chart derives from it: the platform as the metrics count it,
-- whether it counts in the length measures (neither empty nor over the limit, as Amplitude leaves
-- those out) and its length bin. Slice by any column of sessions, or by record->>'field'.
-- Buckets: date_trunc('day', session_start) cuts at midnight of the connection's TimeZone
-- (SET TIME ZONE 'Europe/Berlin' for a project's zone).
CREATE OR REPLACE VIEW session_chart_rows AS
SELECT s.*,
       CASE
           WHEN s.platform IS NULL OR btrim(s.platform) = '' THEN 'unknown'
           WHEN btrim(s.platform) = 'all' THEN 'all (platform)'
           ELSE btrim(s.platform)
       END AS chart_platform,
       NOT s.empty AND NOT s.over_limit AS in_length_measures,
       (SELECT b.bin FROM session_length_bins b
        WHERE b.from_ms <= s.length_ms ORDER BY b.from_ms DESC LIMIT 1) AS length_bin
FROM sessions s;

-- The User Sessions chart's measures per bucket (hour, day, week, month, ...) and platform, with
-- 'all' for every platform together, as the metrics topic gives them, for the sessions that start
-- in [from_time, to_time) (the index on session_start finds them). Lengths in milliseconds.
CREATE OR REPLACE FUNCTION user_sessions(
    bucket text, from_time timestamptz DEFAULT '-infinity', to_time timestamptz DEFAULT 'infinity')
RETURNS TABLE (
    bucket_start           timestamptz,
    platform               text,
    sessions               bigint,
    length_sessions        bigint,
    time_spent_ms          numeric,
    average_length_ms      double precision,
    distinct_users         bigint,
    time_spent_per_user_ms double precision,
    sessions_per_user      double precision,
    events                 numeric,
    engaged_sessions       bigint,
    engagement_rate        double precision
)
LANGUAGE sql STABLE AS $$
    SELECT date_trunc(bucket, r.session_start),
           COALESCE(r.chart_platform, 'all'),
           count(*),
           count(*) FILTER (WHERE r.in_length_measures),
           COALESCE(sum(r.length_ms) FILTER (WHERE r.in_length_measures), 0),
           (sum(r.length_ms) FILTER (WHERE r.in_length_measures))::double precision
               / NULLIF(count(*) FILTER (WHERE r.in_length_measures), 0),
           count(DISTINCT r.owner),
           COALESCE(sum(r.length_ms) FILTER (WHERE r.in_length_measures), 0)::double precision
               / NULLIF(count(DISTINCT r.owner), 0),
           count(*)::double precision / NULLIF(count(DISTINCT r.owner), 0),
           sum(r.event_count),
           count(*) FILTER (WHERE r.engaged),
           (count(*) FILTER (WHERE r.engaged))::double precision / count(*)
    FROM session_chart_rows r
    WHERE r.session_start >= from_time AND r.session_start < to_time
    GROUP BY GROUPING SETS ((date_trunc(bucket, r.session_start), r.chart_platform),
                            (date_trunc(bucket, r.session_start)))
$$;

CREATE OR REPLACE VIEW user_sessions_by_hour AS SELECT * FROM user_sessions('hour');
CREATE OR REPLACE VIEW user_sessions_by_day AS SELECT * FROM user_sessions('day');

-- The length distribution per bucket and platform ('all' included): sessions per length bin, for
-- the sessions that start in [from_time, to_time).
CREATE OR REPLACE FUNCTION session_length_distribution(
    bucket text, from_time timestamptz DEFAULT '-infinity', to_time timestamptz DEFAULT 'infinity')
RETURNS TABLE (bucket_start timestamptz, platform text, bin integer, label text, sessions bigint)
LANGUAGE sql STABLE AS $$
    SELECT date_trunc(bucket, r.session_start), COALESCE(r.chart_platform, 'all'),
           r.length_bin, min(b.label), count(*)
    FROM session_chart_rows r JOIN session_length_bins b ON b.bin = r.length_bin
    WHERE r.in_length_measures AND r.session_start >= from_time AND r.session_start < to_time
    GROUP BY GROUPING SETS ((date_trunc(bucket, r.session_start), r.chart_platform, r.length_bin),
                            (date_trunc(bucket, r.session_start), r.length_bin))
$$;

CREATE OR REPLACE VIEW session_length_distribution_by_day AS
SELECT * FROM session_length_distribution('day');
