#!/usr/bin/env bash
# Submits a sessionflow job to the compose cluster (services submit-job and submit-postgres-job).
# Idempotent: does nothing when a job of that name already runs, so "docker compose up" can be
# repeated. Without SESSIONFLOW_MAIN_CLASS / SESSIONFLOW_JOB_NAME it submits the session job.
#   SESSIONFLOW_ARGS        extra job options, e.g. "--gap 5s --idle-timeout 2s"
#   SESSIONFLOW_RESTORE     a retained checkpoint or savepoint to start from
#   SESSIONFLOW_MAIN_CLASS  the jar's class to run (flink run -c), e.g.
#                           com.sessionflow.postgres.PostgresJob; default: the jar's main class
#   SESSIONFLOW_JOB_NAME    how the job's name starts, to find a running one (a fixed string, not a
#                           pattern); default "sessionflow:", the session job's
#                           ("sessionflow-postgres:" for PostgresJob)
set -euo pipefail

rest="http://jobmanager:8081"
job_name="${SESSIONFLOW_JOB_NAME:-sessionflow:}"

echo "Waiting for a TaskManager with free slots at ${rest} ..."
for _ in $(seq 1 60); do
  overview=$(wget -qO- "${rest}/overview" 2>/dev/null || true)
  if echo "${overview}" | grep -q '"jobs-running":[1-9]' \
      && flink list -r 2>/dev/null | grep -qF -- "${job_name}"; then
    echo "A job named \"${job_name} ...\" is already running; nothing to do."
    exit 0
  fi
  if echo "${overview}" | grep -q '"slots-available":[1-9]'; then
    break
  fi
  sleep 2
done

restore=()
if [ -n "${SESSIONFLOW_RESTORE:-}" ]; then
  restore=(-s "${SESSIONFLOW_RESTORE}")
fi

main_class=()
if [ -n "${SESSIONFLOW_MAIN_CLASS:-}" ]; then
  main_class=(-c "${SESSIONFLOW_MAIN_CLASS}")
fi

# shellcheck disable=SC2086 # SESSIONFLOW_ARGS is a list of options
exec flink run -d "${restore[@]}" "${main_class[@]}" /opt/sessionflow/sessionflow.jar \
  --bootstrap-servers kafka:9092 ${SESSIONFLOW_ARGS:-}
