#!/usr/bin/env bash
# The adopter test: the plugins as an adopter gets them, in a Backstage app as `create-app` makes it today.
#   pack every published package (scripts/pack.sh) and check the tarballs (scripts/check-packed.js)
#   → a new app from a pinned @backstage/create-app in a temporary folder
#   → install the tarballs with the README's own commands and add its snippets (taken from the code blocks marked
#     `<!-- adopter-test: … -->`, so the README cannot drift) → `yarn tsc`, which compiles both frontend snippets
#   → build the app, start its backend against the simulators, then with a guest token: /api/gitops-secrets/clusters
#     answers 200, the four actions are listed, a template dry run renders → Chromium shows the card on an entity page.
# Upstream problems of a fresh app are worked around visibly (each prints "upstream:"), as the README says.
# Writes test-results/adopter.checks.json (and packed.checks.json) for scripts/count-results.js; exits non-zero
# when a check failed. ADOPTER_KEEP=1 keeps the temporary folder.
set -uo pipefail
source "$(dirname "$0")/env.sh"
ensure_node
cd "$ROOT"

CREATE_APP="@backstage/create-app@0.9.2" # creates a Backstage 1.55.0 app (Yarn 4, new frontend system)
PREREQ_YARN="4.13.0"                     # only for create-app's `yarn -v` check; the app brings its own Yarn
BACKEND_PORT="${ADOPTER_BACKEND_PORT:-17107}"
GITHUB_PORT="${ADOPTER_GITHUB_PORT:-17110}"
KUBE_PORT="${ADOPTER_KUBE_PORT:-16543}" # one port per simulated cluster from here
RESULTS="${RESULTS:-$ROOT/test-results}"
mkdir -p "$RESULTS"
WORK="$(mktemp -d -t adopter-XXXXXX)"
APP="$WORK/app"
CHECKS="$WORK/checks.tsv"
: > "$CHECKS"
started=$(date +%s)
pids=()

log() { echo "» [$(($(date +%s) - started)) s] $*"; }
pass() { printf '1\t%s\t\n' "$1" >> "$CHECKS"; echo "✓ $1"; }
fail() { printf '0\t%s\t%s\n' "$1" "${2//$'\n'/ }" >> "$CHECKS"; echo "✗ $1: ${2:-}"; }

kill_tree() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
finish() {
  for p in "${pids[@]}"; do kill_tree "$p"; done
  # Let the servers exit (20 s at most) before their folder is removed.
  for _ in $(seq 1 20); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 1
  done
  node -e '
    const fs = require("fs");
    const [tsv, out] = process.argv.slice(1);
    const checks = fs.readFileSync(tsv, "utf8").split("\n").filter(Boolean).map(l => {
      const [ok, name, detail] = l.split("\t");
      return { name: `adopter: ${name}`, ok: ok === "1", detail };
    });
    fs.writeFileSync(out, JSON.stringify({ checks }, null, 2));
    const failed = checks.filter(c => !c.ok).length;
    console.log(`adopter test: ${checks.length - failed} passed, ${failed} failed`);
  ' "$CHECKS" "$RESULTS/adopter.checks.json"
  log "adopter test took $(($(date +%s) - started)) s"
  if [ "${ADOPTER_KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
# Stops at the first failed step: later steps need the earlier ones.
abort() { fail "$1" "${2:-see the log above}"; exit 1; }

# A fenced code block of a README, the first after the marker `<!-- adopter-test: NAME -->`.
snippet() {
  node -e '
    const [file, name] = process.argv.slice(1);
    const text = require("fs").readFileSync(file, "utf8");
    const at = text.indexOf(`<!-- adopter-test: ${name} -->`);
    const m = at >= 0 && /```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(at));
    if (!m) { console.error(`no code block marked adopter-test: ${name} in ${file}`); process.exit(1); }
    process.stdout.write(m[1] + "\n");
  ' "$1" "$2"
}

wait_http() { # url seconds
  for _ in $(seq 1 "$2"); do curl -sf -o /dev/null "$1" && return 0; sleep 1; done
  return 1
}

# ── 1. the tarballs ──────────────────────────────────────────────────────────────────────────────────
log "packing every published package"
bash scripts/pack.sh "$WORK/packs" || abort "pack every published package"
node scripts/check-packed.js --json "$RESULTS/packed.checks.json" "$WORK/packs"/*.tgz \
  && pass "packed tarballs pass the declared-imports check" \
  || fail "packed tarballs pass the declared-imports check" "scripts/check-packed.js (listed above)"

# ── 2. a new app ─────────────────────────────────────────────────────────────────────────────────────
log "creating a new app with $CREATE_APP"
mkdir -p "$WORK/bin"
export COREPACK_NPM_REGISTRY="$(npm config get registry | sed 's#/$##')"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
if ! command -v corepack >/dev/null; then
  echo "no corepack on PATH: installing it from the npm registry into the temporary folder"
  npm install --prefix "$WORK/corepack" --no-save --loglevel=error corepack >/dev/null || abort "corepack provides yarn"
  export PATH="$WORK/corepack/node_modules/.bin:$PATH"
fi
corepack enable --install-directory "$WORK/bin" >/dev/null || abort "corepack provides yarn"
export PATH="$WORK/bin:$PATH"
corepack prepare "yarn@$PREREQ_YARN" --activate >/dev/null || abort "corepack provides yarn"
(cd "$WORK" && BACKSTAGE_APP_NAME=adopter-app npx -y "$CREATE_APP" --path "$APP" --skip-install) \
  || abort "create a new app with $CREATE_APP"
cd "$APP"

echo "upstream: the fresh backend's signals plugin dies at start ('httpRouter.addWebSocketHandler is not a function':"
echo "          its template resolves a newer signals backend than backend-defaults 0.18 supports); removing it"
grep -v "plugin-signals-backend" packages/backend/src/index.ts > "$WORK/index.ts" && mv "$WORK/index.ts" packages/backend/src/index.ts

echo "not published yet: resolutions point the @golden-gitops names at the tarballs, and the README's commands get"
echo "          @file:<tarball> after each package name"
node -e '
  const fs = require("fs");
  const { execFileSync } = require("child_process");
  const [packs] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.resolutions = pkg.resolutions ?? {};
  const names = {};
  for (const f of fs.readdirSync(packs).filter(f => f.endsWith(".tgz"))) {
    const { name } = JSON.parse(execFileSync("tar", ["-xzOf", `${packs}/${f}`, "package/package.json"]));
    pkg.resolutions[name] = `file:${packs}/${f}`;
    names[name] = `${packs}/${f}`;
  }
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
  fs.writeFileSync(`${packs}/names.json`, JSON.stringify(names));
' "$WORK/packs"

# ── 3. the README's install commands ─────────────────────────────────────────────────────────────────
snippet "$ROOT/README.md" install > "$WORK/install.sh" || abort "README has the install commands"
node -e '
  const fs = require("fs");
  const [file, names] = process.argv.slice(1);
  const map = JSON.parse(fs.readFileSync(names, "utf8"));
  let text = fs.readFileSync(file, "utf8");
  for (const [name, tgz] of Object.entries(map))
    text = text.replace(new RegExp(`${name}(?=\\s|$)`, "gm"), `${name}@file:${tgz}`);
  fs.writeFileSync(file, text);
' "$WORK/install.sh" "$WORK/packs/names.json"
echo "the README's install commands, as run:"
sed 's/^/    /' "$WORK/install.sh"
echo "upstream: create-app's yarn install fails with CI set (YN0028); CI is unset for the installs"
echo "upstream: the app's npmMinimalAgeGate (3d) quarantines dependencies released in the last 3 days; installing"
echo "          with YARN_NPM_MINIMAL_AGE_GATE=0"
log "installing (the app's dependencies and the tarballs)"
(unset CI; export YARN_NPM_MINIMAL_AGE_GATE=0 YARN_ENABLE_PROGRESS_BARS=0; set -e; source "$WORK/install.sh") \
  > "$WORK/install.log" 2>&1 || { tail -40 "$WORK/install.log"; abort "the README's install commands succeed"; }
pass "the README's install commands succeed in a fresh app"

# One copy of each Backstage library the plugins share with the app (a second copy means a range too narrow).
dups="$(ls -d node_modules/@golden-gitops/*/node_modules/@backstage/* \
  packages/*/node_modules/@golden-gitops/*/node_modules/@backstage/* 2>/dev/null || true)"
[ -z "$dups" ] && pass "no second copy of a Backstage package under the plugins" \
  || fail "no second copy of a Backstage package under the plugins" "$dups"

# ── 4. the README's snippets ─────────────────────────────────────────────────────────────────────────
snippet "$ROOT/README.md" backend > "$WORK/backend.ts" || abort "README has the backend snippet"
node -e '
  const fs = require("fs");
  const [snippetFile] = process.argv.slice(1);
  const f = "packages/backend/src/index.ts";
  const src = fs.readFileSync(f, "utf8");
  if (!src.includes("backend.start();")) { console.error("no backend.start() in " + f); process.exit(1); }
  fs.writeFileSync(f, src.replace("backend.start();", fs.readFileSync(snippetFile, "utf8") + "\nbackend.start();"));
' "$WORK/backend.ts" || abort "add the README's backend snippet"
mkdir -p packages/app/src/adopterSnippets
snippet "$ROOT/plugins/gitops-secrets/README.md" frontend-new > packages/app/src/adopterSnippets/NewFrontendSystem.tsx \
  || abort "plugin README has the new frontend system snippet"
snippet "$ROOT/plugins/gitops-secrets/README.md" frontend-legacy > packages/app/src/adopterSnippets/LegacyFrontendSystem.tsx \
  || abort "plugin README has the legacy frontend system snippet"

log "yarn tsc (the app, the README's backend snippet and both frontend snippets)"
(unset CI; yarn tsc) > "$WORK/tsc.log" 2>&1 && pass "yarn tsc compiles the app with the plugins and both frontend snippets" \
  || { cat "$WORK/tsc.log" | tail -30; fail "yarn tsc compiles the app with the plugins and both frontend snippets" "$(head -c 2000 "$WORK/tsc.log")"; }

# ── 5. configuration: the README's template location, the demo's catalog, the simulators ─────────────
snippet "$ROOT/README.md" templates > "$WORK/templates.yaml" || abort "README has the templates location"
node -e '
  const fs = require("fs");
  const { parse, stringify } = require(require.resolve("yaml", { paths: [process.argv[1]] }));
  const [root, templatesFile, work, backendPort, githubPort] = process.argv.slice(1);
  const readme = parse(fs.readFileSync(templatesFile, "utf8"));
  const base = `http://localhost:${backendPort}`;
  const config = {
    app: { baseUrl: base },
    backend: { baseUrl: base, listen: { port: Number(backendPort) }, cors: { origin: base } },
    integrations: {
      github: [{ host: `localhost:${githubPort}`, apiBaseUrl: `http://localhost:${githubPort}/api/v3`, token: "${GITHUB_TOKEN}" }],
    },
    catalog: {
      rules: [{ allow: ["Component", "System", "API", "Resource", "Location", "Group", "User", "Template"] }],
      // Config arrays replace each other: the README s template location, then the demo s entities.
      locations: [...readme.catalog.locations, { type: "file", target: `${root}/examples/entities.yaml` }],
    },
    gitopsSecrets: {
      clusters: ["management", "leaf-dev", "leaf-prod", "no-eso"].map(name => ({
        name, kubeconfig: { path: `${work}/kubeconfig`, context: name },
      })),
    },
  };
  fs.writeFileSync("app-config.local.yaml", stringify(config));
' "$ROOT" "$WORK/templates.yaml" "$WORK" "$BACKEND_PORT" "$GITHUB_PORT" || abort "write the adopter configuration"

log "building the app (the backend's app plugin serves it)"
(unset CI; yarn workspace app build) > "$WORK/app-build.log" 2>&1 \
  || { tail -30 "$WORK/app-build.log"; abort "the app builds with the frontend plugin"; }
pass "the app builds with the frontend plugin"

# ── 6. simulators and the backend ────────────────────────────────────────────────────────────────────
export GITHUB_TOKEN="adopter-$(node -e "process.stdout.write(require('crypto').randomBytes(8).toString('hex'))")"
fixtures=()
for c in management leaf-dev leaf-prod no-eso; do fixtures+=(--fixtures "$ROOT/packages/kube-api-sim/fixtures/$c"); done
"$ROOT/packages/kube-api-sim/bin/kube-api-sim" serve "${fixtures[@]}" --port "$KUBE_PORT" \
  --kubeconfig-out "$WORK/kubeconfig" > "$WORK/kube-api-sim.log" 2>&1 &
pids+=($!)
"$ROOT/packages/github-api-sim/bin/github-api-sim" serve --repos "$WORK/repos" --port "$GITHUB_PORT" \
  --token "$GITHUB_TOKEN" --seed "acme/gitops=$ROOT/packages/github-api-sim/demo-repo" > "$WORK/github-api-sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do [ -f "$WORK/kubeconfig" ] && curl -sf -o /dev/null "http://localhost:$GITHUB_PORT/api/v3/" && break; sleep 1; done

log "starting the app's backend on :$BACKEND_PORT"
(cd packages/backend && unset CI && exec yarn start) > "$WORK/backend.log" 2>&1 &
pids+=($!)
BASE="http://localhost:$BACKEND_PORT"
if ! wait_http "$BASE/.backstage/health/v1/readiness" 240; then
  tail -40 "$WORK/backend.log"
  abort "the app's backend starts with both backend plugins"
fi
pass "the app's backend starts with both backend plugins"

TOKEN="$(curl -sf "$BASE/api/auth/guest/refresh" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).backstageIdentity.token)}catch{}})')"
[ -n "$TOKEN" ] || abort "a guest token from /api/auth/guest/refresh"
api() { curl -s -o "$WORK/body.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@"; }

code="$(api "$BASE/api/gitops-secrets/clusters")"
[ "$code" = 200 ] && grep -q '"management"' "$WORK/body.json" \
  && pass "/api/gitops-secrets/clusters answers 200 with the configured clusters" \
  || fail "/api/gitops-secrets/clusters answers 200 with the configured clusters" "HTTP $code $(head -c 500 "$WORK/body.json")"

code="$(api "$BASE/api/scaffolder/v2/actions")"
missing="$(node -e '
  const ids = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).map(a => a.id);
  const want = ["gitops:secrets:bootstrap", "gitops:secrets:add-external-secret", "gitops:cluster:add-template", "gitops:cluster:create-leaf"];
  process.stdout.write(want.filter(w => !ids.includes(w)).join(" "));
' "$WORK/body.json" 2>&1)"
[ "$code" = 200 ] && [ -z "$missing" ] && pass "the scaffolder lists the four actions" \
  || fail "the scaffolder lists the four actions" "HTTP $code, missing: $missing"

# The README's template location, read by the catalog: the ExternalSecret template, dry run against the simulator.
for _ in $(seq 1 90); do
  [ "$(api "$BASE/api/catalog/entities/by-name/template/default/external-secret")" = 200 ] \
    && [ "$(api "$BASE/api/catalog/entities/by-name/resource/default/management")" = 200 ] && break
  sleep 1
done
api "$BASE/api/catalog/entities/by-name/template/default/external-secret" > /dev/null
cp "$WORK/body.json" "$WORK/template.json"
node -e '
  const fs = require("fs");
  const [tpl, githubPort, out] = process.argv.slice(1);
  fs.writeFileSync(out, JSON.stringify({
    template: JSON.parse(fs.readFileSync(tpl, "utf8")),
    values: {
      repoUrl: `localhost:${githubPort}?owner=acme&repo=gitops`,
      cluster: "resource:default/management",
      name: "adopter-test",
      namespace: "payments",
      storeRef: { kind: "ClusterSecretStore", name: "aws-secrets-manager" },
      creationPolicy: "Owner",
      refreshInterval: "1h",
      data: [{ secretKey: "password", remoteRef: { key: "payments/db", property: "password" } }],
    },
    secrets: {},
    directoryContents: [],
  }));
' "$WORK/template.json" "$GITHUB_PORT" "$WORK/dry-run.json" 2>/dev/null
code="$(api -X POST -H 'Content-Type: application/json' --data @"$WORK/dry-run.json" "$BASE/api/scaffolder/v2/dry-run")"
verdict="$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const log = (r.log ?? []).map(l => l.body ?? {});
  const failed = log.filter(b => b.status === "failed");
  const done = log.some(b => b.stepId === "external-secret" && b.status === "completed");
  // The action read the simulated repository and rendered the files it would commit.
  const rendered = (r.output?.text ?? []).some(t => /would commit [1-9]\d* file/.test(t.content ?? ""));
  if (failed.length || !done || !rendered)
    process.stdout.write(log.map(b => b.message).filter(Boolean).slice(-15).join(" | ") || JSON.stringify(r).slice(0, 800));
' "$WORK/body.json" 2>&1)"
[ "$code" = 200 ] && [ -z "$verdict" ] && pass "a dry run of the ExternalSecret template renders (README's template location)" \
  || fail "a dry run of the ExternalSecret template renders (README's template location)" "HTTP $code $verdict"

# ── 7. the card in Chromium ──────────────────────────────────────────────────────────────────────────
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  fail "Chromium shows the card on an entity page" "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install -y chromium)"
else
  log "Chromium: the card on the management cluster's page"
  node "$ROOT/scripts/adopter-browser.js" "$BASE" "$RESULTS/adopter-card.png" \
    && pass "Chromium shows the card on an entity page (found by the new frontend system)" \
    || fail "Chromium shows the card on an entity page (found by the new frontend system)" "scripts/adopter-browser.js (above)"
fi

grep -q '^0' "$CHECKS" && exit 1
exit 0
