-- The job's sessions topic as a Flink SQL table (docs/dashboards.md, "Flink SQL"). Replace the
-- topic and the bootstrap servers with yours. The topic is a changelog keyed by <owner>/<session_id>: the
-- upsert-kafka connector keeps the latest version of each key and turns a tombstone (a session
-- merged into another) into a delete, so queries see what the compacted topic holds.
CREATE TABLE sessions (
  session_key STRING,
  owner STRING,
  user_id STRING,
  device_id STRING,
  session_id BIGINT,
  start_time BIGINT,
  end_time BIGINT,
  length_ms BIGINT,
  event_count BIGINT,
  active_event_count BIGINT,
  zero_length BOOLEAN,
  zero_length_cause STRING,
  `empty` BOOLEAN,
  over_limit BOOLEAN,
  over_rate BOOLEAN,
  engaged BOOLEAN,
  conversion BOOLEAN,
  platform STRING,
  os_name STRING,
  app_version STRING,
  first_event_type STRING,
  last_event_type STRING,
  `definition` STRING,
  session_source STRING,
  session_property STRING,
  session_id_problem STRING,
  revision INT,
  close_reason STRING,
  session_start AS TO_TIMESTAMP_LTZ(session_id, 3),
  PRIMARY KEY (session_key) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'sessions',
  'properties.bootstrap.servers' = 'kafka:9092',
  -- the job writes exactly-once: read only committed records
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);
