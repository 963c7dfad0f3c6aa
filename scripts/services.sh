#!/usr/bin/env bash
# A real Redis and a real PostgreSQL on localhost for the replica tests and benchmark (Debian packages).
#   scripts/services.sh start DIR   installs redis-server / postgresql with apt-get when missing, starts both with
#                                   their data under DIR on free ports, and writes DIR/services.env:
#                                   REDIS_URL=redis://127.0.0.1:PORT  PG_HOST PG_PORT PG_USER (trust auth, no password)
#   scripts/services.sh stop DIR    stops both (the data stays in DIR; remove it yourself)
# Exits non-zero with a message naming what is missing when the servers cannot be installed or started.
set -euo pipefail
cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

pg_bin() {
  # Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
  local b
  b="$(command -v "$1" 2>/dev/null || true)"
  if [ -z "$b" ]; then
    b="$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
  echo "$b"
}

install_missing() {
  local pkgs=()
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  [ -n "$(pg_bin initdb)" ] || pkgs+=(postgresql)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  echo "» installing ${pkgs[*]} (apt-get)" >&2
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2; then
    as_root apt-get update >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
  fi
  # The Debian package starts its own clusters/servers; ours run on other ports, theirs are left alone.
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# PostgreSQL refuses to run as root: then it runs as the postgres user (created by the Debian package).
pg_user() {
  if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  install_missing || { echo "services.sh: could not install redis-server/postgresql with apt-get" >&2; exit 1; }
  local initdb pg_ctl
  initdb="$(pg_bin initdb)"
  pg_ctl="$(pg_bin pg_ctl)"
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ] || ! command -v redis-server >/dev/null 2>&1; then
    echo "services.sh: redis-server or PostgreSQL's initdb/pg_ctl is missing after installing" >&2
    exit 1
  fi
  mkdir -p "$dir/redis" "$dir/pg"
  dir="$(cd "$dir" && pwd)"
  local redis_port pg_port user
  redis_port="$(free_port)"
  pg_port="$(free_port)"
  user="$(pg_user)"

  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log"

  # The postgres user must reach its data folder (mktemp -d makes folders only their owner can enter).
  [ "$(id -u)" = 0 ] && chmod 755 "$dir" && chown -R postgres "$dir/pg"
  chmod 700 "$dir/pg"
  as_pg "$initdb" -D "$dir/pg/data" -U "$user" --auth=trust --encoding=UTF8 >"$dir/pg/initdb.log" 2>&1 ||
    { echo "services.sh: initdb failed, see $dir/pg/initdb.log" >&2; cat "$dir/pg/initdb.log" >&2; exit 1; }
  as_pg "$pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgres.log" -w -t 60 \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 ||
    { echo "services.sh: PostgreSQL did not start, see $dir/pg/postgres.log" >&2; exit 1; }

  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  cat >"$dir/services.env" <<ENV
REDIS_URL=redis://127.0.0.1:$redis_port
PG_HOST=127.0.0.1
PG_PORT=$pg_port
PG_USER=$user
ENV
  echo "» Redis on 127.0.0.1:$redis_port, PostgreSQL on 127.0.0.1:$pg_port (data in $dir)" >&2
}

stop() {
  dir="$(cd "$dir" 2>/dev/null && pwd)" || return 0
  if [ -f "$dir/redis/redis.pid" ]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  fi
  local pg_ctl
  pg_ctl="$(pg_bin pg_ctl)"
  if [ -n "$pg_ctl" ] && [ -f "$dir/pg/data/postmaster.pid" ]; then
    as_pg "$pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
