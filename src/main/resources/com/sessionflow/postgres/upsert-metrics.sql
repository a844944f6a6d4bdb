-- One change of the session-metrics topic: $1 the key, $2 the record's JSON, or null for a
-- tombstone. A record replaces the row unless the row is final and the record is not: a bucket's
-- final record is its last, so replaying the topic never takes a finished bucket backwards.
WITH change AS (SELECT CAST(? AS text) AS metrics_key, CAST(? AS jsonb) AS record),
removed AS (
    DELETE FROM session_metrics m USING change c
    WHERE c.record IS NULL AND m.metrics_key = c.metrics_key
)
INSERT INTO session_metrics AS m (
    metrics_key, bucket_start, bucket_end, platform, sessions, length_sessions, time_spent_ms,
    average_length_ms, distinct_users, time_spent_per_user_ms, sessions_per_user, events,
    events_per_session, length_distribution, p50_length_ms, p90_length_ms, p99_length_ms,
    zero_length_sessions, empty_sessions, over_limit_sessions, out_of_session_events,
    engaged_sessions, engagement_rate, bounce_rate, final,
    definition, record)
SELECT c.metrics_key, to_timestamp(r.bucket_start / 1000.0), to_timestamp(r.bucket_end / 1000.0),
       r.platform, r.sessions, r.length_sessions, r.time_spent_ms, r.average_length_ms,
       r.distinct_users, r.time_spent_per_user_ms, r.sessions_per_user, r.events,
       r.events_per_session, r.length_distribution, r.p50_length_ms, r.p90_length_ms,
       r.p99_length_ms, r.zero_length_sessions, r.empty_sessions, r.over_limit_sessions,
       r.out_of_session_events, r.engaged_sessions, r.engagement_rate, r.bounce_rate, r.final,
       r.definition, c.record
FROM change c,
     jsonb_to_record(c.record) AS r(
         bucket_start bigint, bucket_end bigint, platform text, sessions bigint,
         length_sessions bigint, time_spent_ms bigint, average_length_ms double precision,
         distinct_users bigint, time_spent_per_user_ms double precision,
         sessions_per_user double precision, events bigint, events_per_session double precision,
         length_distribution jsonb, p50_length_ms double precision,
         p90_length_ms double precision, p99_length_ms double precision,
         zero_length_sessions bigint, empty_sessions bigint, over_limit_sessions bigint,
         out_of_session_events bigint, engaged_sessions bigint,
         engagement_rate double precision, bounce_rate double precision, final boolean,
         definition text)
WHERE c.record IS NOT NULL
ON CONFLICT (metrics_key) DO UPDATE SET
    bucket_start = EXCLUDED.bucket_start, bucket_end = EXCLUDED.bucket_end,
    platform = EXCLUDED.platform, sessions = EXCLUDED.sessions,
    length_sessions = EXCLUDED.length_sessions, time_spent_ms = EXCLUDED.time_spent_ms,
    average_length_ms = EXCLUDED.average_length_ms, distinct_users = EXCLUDED.distinct_users,
    time_spent_per_user_ms = EXCLUDED.time_spent_per_user_ms,
    sessions_per_user = EXCLUDED.sessions_per_user, events = EXCLUDED.events,
    events_per_session = EXCLUDED.events_per_session,
    length_distribution = EXCLUDED.length_distribution, p50_length_ms = EXCLUDED.p50_length_ms,
    p90_length_ms = EXCLUDED.p90_length_ms, p99_length_ms = EXCLUDED.p99_length_ms,
    zero_length_sessions = EXCLUDED.zero_length_sessions,
    empty_sessions = EXCLUDED.empty_sessions, over_limit_sessions = EXCLUDED.over_limit_sessions,
    out_of_session_events = EXCLUDED.out_of_session_events,
    engaged_sessions = EXCLUDED.engaged_sessions, engagement_rate = EXCLUDED.engagement_rate,
    bounce_rate = EXCLUDED.bounce_rate, final = EXCLUDED.final,
    definition = EXCLUDED.definition, record = EXCLUDED.record
WHERE NOT m.final OR EXCLUDED.final
