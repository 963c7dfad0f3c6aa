#!/usr/bin/env bash
# Packs every published package (each package.json under plugins/ and packages/ without "private": true) the way
# `npm publish` would: type declarations (tsc → dist-types), `backstage-cli package build`, then `npm pack`, whose
# prepack/postpack (backstage-cli) point main/types/exports at dist/ for the tarball only.
# Usage: scripts/pack.sh <output folder>   → <output folder>/*.tgz
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_node
cd "$ROOT"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
rm -f "$OUT"/*.tgz

mapfile -t published < <(node -e '
  const fs = require("fs");
  for (const dir of ["plugins", "packages"])
    for (const name of fs.readdirSync(dir)) {
      const f = `${dir}/${name}/package.json`;
      if (fs.existsSync(f) && !JSON.parse(fs.readFileSync(f, "utf8")).private) console.log(`${dir}/${name}`);
    }')

echo "» type declarations for the builds (tsc → dist-types)"
npx tsc -p . --outDir dist-types
for p in "${published[@]}"; do
  echo "» build and pack $p"
  (cd "$p" && npx backstage-cli package build && npm pack --silent --pack-destination "$OUT" >/dev/null)
done
ls -l "$OUT"/*.tgz
