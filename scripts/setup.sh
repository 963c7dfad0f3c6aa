#!/usr/bin/env bash
# All set-up a fresh clone needs: a pinned Node 22 (if the machine lacks 22/24) and the npm install.
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_node
ensure_deps
