#!/usr/bin/env bash
# One command from a fresh clone to a running local demo portal:
#   set-up (Node 22 + install) → the simulated cluster fleet and GitHub → backend :7007 and app :3000.
# Options: --no-app   serve only the simulators and the backend (used by tests and benchmarks)
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_node
ensure_deps
cd "$ROOT"

WITH_APP=1
for arg in "$@"; do
  case "$arg" in
    --no-app) WITH_APP=0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

DEMO="$ROOT/.demo"
mkdir -p "$DEMO"
# templates/ is what adopters register (GitHub, no default repository); the demo serves a copy whose repository
# pickers point at the GitHub simulator's acme/gitops (app-config.yaml reads .demo/templates/all.yaml).
node scripts/demo-templates.js "$DEMO/templates" localhost:7010 acme/gitops
# The GitHub simulator's token for this run; the backend reads it as ${GITHUB_TOKEN} (app-config.yaml).
export GITHUB_TOKEN="${GITHUB_TOKEN:-demo-$(node -e "process.stdout.write(require('crypto').randomBytes(12).toString('hex'))")}"

pids=()
# Stop each process with its children (npx → backstage-cli → the backend), so no server outlives the portal.
kill_tree() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
cleanup() { for p in "${pids[@]}"; do kill_tree "$p"; done; }
trap cleanup EXIT INT TERM

fixtures=()
for d in packages/kube-api-sim/fixtures/*/; do [ -f "$d/cluster.yaml" ] && fixtures+=(--fixtures "$d"); done
packages/kube-api-sim/bin/kube-api-sim serve "${fixtures[@]}" --port 6443 --kubeconfig-out "$DEMO/kubeconfig" > "$DEMO/kube-api-sim.log" 2>&1 &
pids+=($!)
packages/github-api-sim/bin/github-api-sim serve --repos "$DEMO/repos" --port 7010 --token "$GITHUB_TOKEN" \
  --seed "acme/gitops=$ROOT/packages/github-api-sim/demo-repo" > "$DEMO/github-api-sim.log" 2>&1 &
pids+=($!)

for i in $(seq 1 60); do
  [ -f "$DEMO/kubeconfig" ] && curl -sf -o /dev/null http://localhost:7010/api/v3/ 2>/dev/null && break
  sleep 0.5
done
echo "» simulators up: Kubernetes fleet (kubeconfig: .demo/kubeconfig), GitHub at http://localhost:7010/api/v3"

if [ "$WITH_APP" = 1 ]; then
  echo "» starting the portal: http://localhost:3000 (backend http://localhost:7007)"
  npx backstage-cli repo start &
else
  (cd packages/backend && npx backstage-cli package start) &
fi
pids+=($!)
wait "${pids[-1]}"
