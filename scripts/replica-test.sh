#!/usr/bin/env bash
# The replica smoke test (issue 17): a real Redis and PostgreSQL (scripts/services.sh), a simulated fleet and three
# backend replicas sharing it (packages/bench/src/replicas). Writes its named checks to RESULTS/replicas.checks.json,
# which scripts/count-results.js counts; when the servers cannot be installed or started, one failed check says so.
# Usage: scripts/replica-test.sh RESULTS_DIR   (about a minute and a half on two cores)
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_node
cd "$ROOT"
results="${1:?usage: $0 RESULTS_DIR}"
mkdir -p "$results"
checks="$results/replicas.checks.json"
data="$(mktemp -d)"
cleanup() {
  bash scripts/services.sh stop "$data" || true
  rm -rf "$data"
}
trap cleanup EXIT

if ! bash scripts/services.sh start "$data"; then
  msg="Redis/PostgreSQL could not be installed or started by scripts/services.sh (apt-get install redis-server postgresql needs root or passwordless sudo)"
  echo "» replica test: $msg" >&2
  node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({checks:[{name:"replica test: Redis and PostgreSQL available",ok:false,detail:process.argv[2]}]}))' "$checks" "$msg"
  exit 1
fi
node packages/bench/bin/replicas --smoke --services "$data/services.env" --checks "$checks"
