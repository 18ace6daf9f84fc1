#!/usr/bin/env bash
# Stops what `npm start` or `npm test` left running for the next run: the local Kafka broker and
# the embedded PostgreSQL (an external DATABASE_URL or KAFKA_BROKERS is never touched).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/kafka.sh stop
pidfile=.data/postgres.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  pid=$(cat "$pidfile")
  echo "postgres: stopping embedded PostgreSQL (pid $pid) ..."
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  echo "postgres: stopped"
else
  echo "postgres: embedded PostgreSQL is not running"
fi
rm -f "$pidfile"
