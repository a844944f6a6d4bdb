#!/usr/bin/env bash
# Submits the sessionflow job to the compose cluster (service submit-job). Idempotent: does
# nothing when a sessionflow job already runs, so "docker compose up" can be repeated.
#   SESSIONFLOW_ARGS     extra job options, e.g. "--gap 5s --idle-timeout 2s"
#   SESSIONFLOW_RESTORE  a retained checkpoint or savepoint to start from
set -euo pipefail

rest="http://jobmanager:8081"

echo "Waiting for a TaskManager with free slots at ${rest} ..."
for _ in $(seq 1 60); do
  overview=$(wget -qO- "${rest}/overview" 2>/dev/null || true)
  if echo "${overview}" | grep -q '"jobs-running":[1-9]' \
      && flink list -r 2>/dev/null | grep -q 'sessionflow:'; then
    echo "A sessionflow job is already running; nothing to do."
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

# shellcheck disable=SC2086 # SESSIONFLOW_ARGS is a list of options
exec flink run -d "${restore[@]}" /opt/sessionflow/sessionflow.jar \
  --bootstrap-servers kafka:9092 ${SESSIONFLOW_ARGS:-}
