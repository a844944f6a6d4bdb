-- One change of the sessions topic: $1 the key, $2 the record's JSON, or null for a tombstone.
-- A tombstone deletes the row; a record inserts it or replaces it unless the row holds a newer
-- revision, so replaying the topic from any offset never takes a row backwards.
WITH change AS (SELECT CAST(? AS text) AS session_key, CAST(? AS jsonb) AS record),
removed AS (
    DELETE FROM sessions s USING change c
    WHERE c.record IS NULL AND s.session_key = c.session_key
)
INSERT INTO sessions AS s (
    session_key, owner, user_id, device_id, session_id, session_start, start_time, end_time,
    length_ms, event_count, active_event_count, zero_length, zero_length_cause, empty,
    over_limit, over_rate, engaged, conversion, platform, os_name, app_version, first_event_type, last_event_type,
    definition, session_source, session_property, session_id_problem, revision, close_reason,
    record)
SELECT c.session_key, r.owner, r.user_id, r.device_id, r.session_id,
       to_timestamp(r.session_id / 1000.0), to_timestamp(r.start_time / 1000.0),
       to_timestamp(r.end_time / 1000.0), r.length_ms, r.event_count, r.active_event_count,
       r.zero_length, r.zero_length_cause, r.empty, r.over_limit, r.over_rate, r.engaged,
       r.conversion, r.platform,
       r.os_name, r.app_version, r.first_event_type, r.last_event_type, r.definition,
       r.session_source, r.session_property, r.session_id_problem, r.revision, r.close_reason,
       c.record
FROM change c,
     jsonb_to_record(c.record) AS r(
         owner text, user_id text, device_id text, session_id bigint, start_time bigint,
         end_time bigint, length_ms bigint, event_count integer, active_event_count integer,
         zero_length boolean, zero_length_cause text, empty boolean, over_limit boolean,
         over_rate boolean, engaged boolean, conversion boolean,
         platform text, os_name text, app_version text, first_event_type text,
         last_event_type text, definition text, session_source text, session_property text,
         session_id_problem text, revision integer, close_reason text)
WHERE c.record IS NOT NULL
ON CONFLICT (session_key) DO UPDATE SET
    owner = EXCLUDED.owner, user_id = EXCLUDED.user_id, device_id = EXCLUDED.device_id,
    session_id = EXCLUDED.session_id, session_start = EXCLUDED.session_start,
    start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
    length_ms = EXCLUDED.length_ms, event_count = EXCLUDED.event_count,
    active_event_count = EXCLUDED.active_event_count, zero_length = EXCLUDED.zero_length,
    zero_length_cause = EXCLUDED.zero_length_cause,
    empty = EXCLUDED.empty, over_limit = EXCLUDED.over_limit, over_rate = EXCLUDED.over_rate,
    engaged = EXCLUDED.engaged, conversion = EXCLUDED.conversion,
    platform = EXCLUDED.platform, os_name = EXCLUDED.os_name,
    app_version = EXCLUDED.app_version, first_event_type = EXCLUDED.first_event_type,
    last_event_type = EXCLUDED.last_event_type, definition = EXCLUDED.definition,
    session_source = EXCLUDED.session_source, session_property = EXCLUDED.session_property,
    session_id_problem = EXCLUDED.session_id_problem,
    revision = EXCLUDED.revision, close_reason = EXCLUDED.close_reason, record = EXCLUDED.record
WHERE s.revision <= EXCLUDED.revision
