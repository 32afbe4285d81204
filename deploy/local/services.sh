#!/usr/bin/env bash
# Local infrastructure for Pipeline development: PostgreSQL 15 + pgvector,
# RabbitMQ and Azurite (Azure Blob Storage emulator).
#
#   deploy/local/services.sh up|down|status|env
#
# If a Docker engine answers, the services come from the repo's
# docker-compose.yml. Otherwise they are installed (apt / npm) and run as plain
# local processes bound to 127.0.0.1, with all state under $REPO/.local/.
#
# Environment overrides:
#   PIPELINE_PG_PORT (5432)  PIPELINE_RABBIT_PORT (5672)  PIPELINE_BLOB_PORT (10000)
#   PIPELINE_RABBIT_MANAGEMENT (1: enable the management UI on 127.0.0.1)
#   PIPELINE_RABBIT_MGMT_PORT (15672)
#   PIPELINE_SERVICES_MODE (auto|docker|local)
#   PIPELINE_DEBIAN_MIRROR (Debian mirror used to fetch the pgvector source;
#                           default: read from this machine's apt sources)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE="$REPO/.local"
ENV_FILE="$STATE/services.env"
MODE_FILE="$STATE/services.mode"
PORTS_FILE="$STATE/services.ports"
COMPOSE_FILE="$REPO/docker-compose.yml"

PG_PORT=${PIPELINE_PG_PORT:-5432}
RABBIT_PORT=${PIPELINE_RABBIT_PORT:-5672}
RABBIT_MGMT=${PIPELINE_RABBIT_MANAGEMENT:-1}
RABBIT_MGMT_PORT=${PIPELINE_RABBIT_MGMT_PORT:-15672}
BLOB_PORT=${PIPELINE_BLOB_PORT:-10000}

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
PGVECTOR_CONTROL="/usr/share/postgresql/$PG_MAJOR/extension/vector.control"
AZURITE_VERSION=3.35.0
AZURITE_ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
t0() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do port_open "$1" && return 0; sleep 0.2; done
  return 1
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# Run a command as a service account (root is required to switch user).
as_user() {
  local user=$1; shift
  if ((EUID == 0)); then runuser -u "$user" -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- mode --------

docker_ok() {
  command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1
}

compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose -p pipeline -f "$COMPOSE_FILE" --project-directory "$REPO" "$@"
  elif command -v docker-compose >/dev/null 2>&1; then
    docker-compose -p pipeline -f "$COMPOSE_FILE" --project-directory "$REPO" "$@"
  else
    die "a Docker engine answers but neither 'docker compose' nor 'docker-compose' is installed"
  fi
}

# Mode for `up`: PIPELINE_SERVICES_MODE, else docker when an engine answers.
choose_mode() {
  case ${PIPELINE_SERVICES_MODE:-auto} in
    docker | local) echo "$PIPELINE_SERVICES_MODE" ;;
    auto) if docker_ok; then echo docker; else echo local; fi ;;
    *) die "PIPELINE_SERVICES_MODE must be auto, docker or local" ;;
  esac
}

# Mode for down/status: whatever `up` used last.
recorded_mode() {
  if [[ -f $MODE_FILE ]]; then cat "$MODE_FILE"; else choose_mode; fi
}

# Ports the running services were started with: they win over the PIPELINE_*
# variables for services that are already running (and for down/status).
# shellcheck disable=SC2034 # REC_PG_PORT: informational (postmaster.pid has the port)
REC_PG_PORT="" REC_RABBIT_PORT="" REC_RABBIT_MGMT_PORT="" REC_BLOB_PORT=""
if [[ -f $PORTS_FILE ]]; then
  # shellcheck source=/dev/null
  . "$PORTS_FILE"
fi

save_ports() {
  printf 'REC_PG_PORT=%s\nREC_RABBIT_PORT=%s\nREC_RABBIT_MGMT_PORT=%s\nREC_BLOB_PORT=%s\n' \
    "$PG_PORT" "$RABBIT_PORT" "$RABBIT_MGMT_PORT" "$BLOB_PORT" >"$PORTS_FILE"
}

use_recorded_ports() {
  [[ -n $REC_RABBIT_PORT ]] || return 0
  RABBIT_PORT=$REC_RABBIT_PORT RABBIT_MGMT_PORT=$REC_RABBIT_MGMT_PORT BLOB_PORT=$REC_BLOB_PORT
}

# ---------------------------------------------------------------- state dirs --

# Creates $STATE/<name> owned by <user>. If <user> cannot reach the repo (e.g.
# a home directory with mode 700), the directory lives under /var/tmp instead
# and $STATE/<name> is a symlink to it. Prints the real path.
service_dir() {
  local name=$1 user=$2 link="$STATE/$1" alt
  if [[ ! -e $link ]]; then
    mkdir -p "$link"
    ((EUID == 0)) && chown "$user:" "$link"
    if ! as_user "$user" test -w "$link" -a -x "$link"; then
      alt="/var/tmp/pipeline-$(printf '%s' "$REPO" | md5sum | cut -c1-8)/$name"
      log "$user cannot access $link; keeping $name state in $alt"
      rmdir "$link"
      mkdir -p "$alt"
      chmod 755 "$(dirname "$alt")"
      ((EUID == 0)) && chown "$user:" "$alt"
      ln -s "$alt" "$link"
    fi
  fi
  readlink -f "$link"
}

# ---------------------------------------------------------------- apt ---------

# Noisy tool output goes to a log file; its tail is shown when a step fails.
SETUP_LOG="$STATE/setup.log"
quiet() {
  mkdir -p "$STATE"
  echo "+ $*" >>"$SETUP_LOG"
  "$@" >>"$SETUP_LOG" 2>&1 || {
    local rc=$?
    tail -n 25 "$SETUP_LOG" | sed 's/^/[services]   /' >&2
    log "failed ($rc): $* (full log: $SETUP_LOG)"
    return "$rc"
  }
}

APT_UPDATED=0
apt_update_once() {
  ((APT_UPDATED)) && return 0
  log "apt-get update"
  quiet apt-get update
  APT_UPDATED=1
}

# Installs packages without letting their maintainer scripts start services
# (there is no init system to manage them; this script starts what it needs).
apt_install() {
  local own_policy=0 rc=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  # Refresh the package lists first if they are missing or don't know a package.
  if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null 2>&1 ||
    ! apt-get install -s -qq "$@" >/dev/null 2>&1; then
    apt_update_once
  fi
  log "apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  quiet apt-get install -y --no-install-recommends "$@" || rc=$?
  if ((rc != 0 && APT_UPDATED == 0)); then # stale lists: refresh and retry
    log "retrying after apt-get update"
    apt_update_once
    rc=0
    quiet apt-get install -y --no-install-recommends "$@" || rc=$?
  fi
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
  return "$rc"
}

# The Debian mirror this machine already uses (its apt sources), for fetching
# the trixie pgvector source package.
debian_mirror() {
  if [[ -n ${PIPELINE_DEBIAN_MIRROR:-} ]]; then
    echo "${PIPELINE_DEBIAN_MIRROR%/}"
    return
  fi
  local codename uri
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  # deb822 stanzas whose Suites include the release codename.
  uri=$(awk -v cn="$codename" '
    function flush() {
      if (deb && suite && enabled && uri != "" && !found) { print uri; found = 1 }
      deb = 0; suite = 0; enabled = 1; uri = ""
    }
    BEGIN { enabled = 1 }
    FNR == 1 { flush() }
    /^[[:space:]]*$/ { flush(); next }
    /^[[:space:]]*#/ { next }
    tolower($1) == "types:"   { for (i = 2; i <= NF; i++) if ($i == "deb" || $i == "deb-src") deb = 1 }
    tolower($1) == "uris:"    { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { uri = $i; break } }
    tolower($1) == "suites:"  { for (i = 2; i <= NF; i++) if ($i == cn) suite = 1 }
    tolower($1) == "enabled:" { if (tolower($2) == "no") enabled = 0 }
    END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [[ -z $uri ]]; then
    # one-line format: deb [options] URI suite components...
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/#.*//; s/\[[^]]*\]//' |
      awk -v cn="$codename" '($1 == "deb" || $1 == "deb-src") && $3 == cn && $2 ~ /^https?:\/\// { print $2; exit }' || true)
  fi
  [[ -n $uri ]] || die "no Debian mirror for '$codename' found in the apt sources; set PIPELINE_DEBIAN_MIRROR"
  echo "${uri%/}"
}

# pgvector is not packaged for bookworm: build Debian trixie's source package.
# The trixie source list only exists in a temporary directory (never in the
# system's apt configuration).
install_pgvector() {
  local tmp mirror dir
  tmp=$(mktemp -d /tmp/pipeline-pgvector.XXXXXX)
  mirror=$(debian_mirror)
  log "building pgvector from Debian trixie sources ($mirror)"
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src"
  cat >"$tmp/trixie.sources" <<EOF
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  chmod 755 "$tmp"
  if id _apt >/dev/null 2>&1; then chown -R _apt: "$tmp/lists" "$tmp/src"; fi
  local -a opts=(
    -o "Dir::Etc::SourceList=$tmp/trixie.sources"
    -o "Dir::Etc::SourceParts=-"
    -o "Dir::State::Lists=$tmp/lists"
    -o "Dir::Cache=$tmp/cache"
    -o "APT::Get::List-Cleanup=0"
  )
  quiet apt-get "${opts[@]}" update
  (cd "$tmp/src" && quiet apt-get "${opts[@]}" source --download-only pgvector)
  # Integrity: the .dsc hashes come from the signed trixie Sources index.
  (cd "$tmp/src" && quiet dpkg-source -x ./pgvector_*.dsc pgvector)
  dir="$tmp/src/pgvector"
  # OPTFLAGS="": no -march=native, so the library also runs on other CPUs.
  quiet make -C "$dir" -j"$(nproc)" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS=""
  quiet make -C "$dir" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" install
  rm -rf "$tmp"
  [[ -f $PGVECTOR_CONTROL ]] || die "pgvector install did not produce $PGVECTOR_CONTROL"
  log "pgvector $(sed -nE "s/^default_version = '(.*)'/\1/p" "$PGVECTOR_CONTROL") installed"
}

ensure_packages() {
  local -a pkgs=()
  [[ -x $PG_BIN/postgres ]] || pkgs+=("postgresql-$PG_MAJOR")
  if [[ ! -f $PGVECTOR_CONTROL ]]; then
    [[ -f /usr/include/postgresql/$PG_MAJOR/server/postgres.h ]] || pkgs+=("postgresql-server-dev-$PG_MAJOR")
    command -v make >/dev/null && command -v gcc >/dev/null || pkgs+=(build-essential)
    command -v dpkg-source >/dev/null || pkgs+=(dpkg-dev)
  fi
  command -v rabbitmq-server >/dev/null || [[ -x /usr/sbin/rabbitmq-server ]] || pkgs+=(rabbitmq-server)
  command -v npm >/dev/null || pkgs+=(nodejs npm)
  if ((${#pkgs[@]})); then
    local t; t=$(t0)
    ((EUID == 0)) || die "need root to install ${pkgs[*]}"
    apt_install "${pkgs[@]}"
    log "installed ${pkgs[*]} in $(since "$t")"
  fi
  if [[ ! -f $PGVECTOR_CONTROL ]]; then
    local t; t=$(t0)
    install_pgvector
    log "pgvector built in $(since "$t")"
  fi
  if ! azurite_installed; then
    local t; t=$(t0)
    log "npm install azurite@$AZURITE_VERSION"
    mkdir -p "$STATE/azurite"
    quiet npm install --prefix "$STATE/azurite" --no-audit --no-fund --loglevel=error \
      "azurite@$AZURITE_VERSION"
    log "azurite installed in $(since "$t")"
  fi
}

# ---------------------------------------------------------------- postgres ----

pg_paths() {
  PG_DIR=$(service_dir postgres postgres)
  PG_DATA="$PG_DIR/data"
  PG_RUN="$PG_DIR/run"
  PG_LOG="$PG_DIR/log/postgresql.log"
  # Unix socket paths are limited to ~107 bytes.
  if ((${#PG_RUN} > 80)); then
    PG_RUN="/tmp/pipeline-pg-$(printf '%s' "$REPO" | md5sum | cut -c1-8)"
  fi
}

pg_running() { [[ -f $PG_DATA/postmaster.pid ]] && as_user postgres "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

# Port of the running server (line 4 of postmaster.pid).
pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid"; }

pg_start() {
  pg_paths
  if pg_running; then
    PG_PORT=$(pg_running_port)
    PG_STATUS="reused running server"
    return 0
  fi
  mkdir -p "$PG_RUN" "$(dirname "$PG_LOG")"
  if ((EUID == 0)); then chown postgres: "$PG_RUN" "$(dirname "$PG_LOG")"; fi
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "initdb $PG_DATA"
    as_user postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/log/initdb.log" 2>&1 ||
      { cat "$PG_DIR/log/initdb.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'pipeline.conf'" >>"$PG_DATA/postgresql.conf"
  fi
  # Rewritten on every start so that port overrides apply.
  cat >"$PG_DATA/pipeline.conf" <<EOF
# Written by deploy/local/services.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
EOF
  ((EUID == 0)) && chown postgres: "$PG_DATA/pipeline.conf"
  port_open "$PG_PORT" && die "127.0.0.1:$PG_PORT is already in use (another PostgreSQL?); set PIPELINE_PG_PORT"
  as_user postgres "$PG_BIN/pg_ctl" start -w -t 60 -D "$PG_DATA" -l "$PG_LOG" >/dev/null ||
    { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (log: $PG_LOG)"; }
  PG_STATUS="started"
}

pg_setup() {
  local -x PGOPTIONS='-c client_min_messages=warning'
  local -a psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres)
  # Superuser: the app's migrations run CREATE EXTENSION; the server is loopback-only.
  "${psql[@]}" -d postgres >/dev/null <<'EOF'
SELECT 'CREATE ROLE pipeline' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline') \gexec
ALTER ROLE pipeline WITH LOGIN CREATEDB SUPERUSER PASSWORD 'pipeline';
SELECT 'CREATE DATABASE pipeline OWNER pipeline' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pipeline') \gexec
EOF
  "${psql[@]}" -d pipeline -c 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
  PG_VECTOR=$("${psql[@]}" -d pipeline -Atc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
}

pg_stop() {
  pg_paths
  if pg_running; then
    as_user postgres "$PG_BIN/pg_ctl" stop -w -m fast -D "$PG_DATA" >/dev/null
    log "postgres stopped"
  else
    log "postgres not running"
  fi
}

pg_status() {
  pg_paths
  if pg_running; then
    echo "postgres  up    127.0.0.1:$(pg_running_port) (pid $(head -n1 "$PG_DATA/postmaster.pid"), data $PG_DATA)"
  else
    echo "postgres  down"
  fi
}

# ---------------------------------------------------------------- rabbitmq ----

# All rabbitmq-server / rabbitmqctl invocations see this environment.
rabbit_env() {
  RABBIT_DIR=$(service_dir rabbitmq rabbitmq)
  local host
  host=$(hostname -s 2>/dev/null || echo localhost)
  # Erlang distribution (epmd) only listens on 127.0.0.1, so the node's host
  # name must resolve to loopback; otherwise use rabbit@localhost.
  if getent ahostsv4 "$host" 2>/dev/null | awk '{ print $1; exit }' | grep -q '^127\.'; then
    RABBIT_NODE="rabbit@$host"
  else
    RABBIT_NODE="rabbit@localhost"
  fi
  export RABBITMQ_NODENAME="$RABBIT_NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$RABBIT_PORT"
  export RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000))
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$RABBIT_DIR/log"
  export RABBITMQ_PID_FILE="$RABBIT_DIR/rabbitmq.pid"
  export RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
}

rabbit_pid() { [[ -f $RABBITMQ_PID_FILE ]] && cat "$RABBITMQ_PID_FILE" 2>/dev/null || true; }

# The pid file names the Erlang VM (beam); guard against a recycled pid.
rabbit_alive() {
  local pid; pid=$(rabbit_pid)
  pid_alive "$pid" && grep -qa beam "/proc/$pid/cmdline" 2>/dev/null
}

rabbit_running() { rabbit_alive && port_open "$RABBIT_PORT"; }

# Starts the node in the background; rabbit_wait finishes the job.
rabbit_start() {
  rabbit_env
  if rabbit_alive && [[ -n $REC_RABBIT_PORT ]]; then
    RABBIT_PORT=$REC_RABBIT_PORT RABBIT_MGMT_PORT=$REC_RABBIT_MGMT_PORT
    export RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000))
  fi
  if rabbit_running; then
    RABBIT_STATUS="reused running node"
    return 0
  fi
  if rabbit_alive; then
    RABBIT_STATUS="node still booting"
    return 0
  fi
  port_open "$RABBIT_PORT" && die "127.0.0.1:$RABBIT_PORT is already in use; set PIPELINE_RABBIT_PORT"
  mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  {
    echo "# Written by deploy/local/services.sh"
    echo "listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT"
    grep -v '^#' "$SCRIPT_DIR/rabbitmq.conf"
    if [[ $RABBIT_MGMT == 1 ]]; then
      echo "management.tcp.ip = 127.0.0.1"
      echo "management.tcp.port = $RABBIT_MGMT_PORT"
    fi
  } >"$RABBITMQ_CONFIG_FILE"
  if [[ $RABBIT_MGMT == 1 ]]; then
    echo '[rabbitmq_management].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  else
    echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  fi
  ((EUID == 0)) && chown -R rabbitmq: "$RABBIT_DIR"/
  rm -f "$RABBITMQ_PID_FILE"
  # The Debian wrapper switches to the rabbitmq user when run as root.
  # (A fresh node on 2 cores takes ~10 s; see rabbit_wait.)
  # Redirect the whole subshell: nothing may keep this script's stdout/stderr
  # open, or callers that pipe `up` would wait for the broker to exit.
  (cd / && exec setsid nohup rabbitmq-server) >"$RABBITMQ_LOG_BASE/console.log" 2>&1 </dev/null &
  RABBIT_STATUS="started"
}

rabbit_wait() {
  local deadline=$((SECONDS + 90))
  until rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      tail -n 30 "$RABBITMQ_LOG_BASE/console.log" >&2 || true
      die "RabbitMQ did not start (logs: $RABBITMQ_LOG_BASE)"
    fi
    sleep 1
  done
  wait_port "$RABBIT_PORT" 30 || die "RabbitMQ is up but 127.0.0.1:$RABBIT_PORT does not answer"
}

rabbit_stop() {
  rabbit_env
  if rabbit_alive; then
    local pid i; pid=$(rabbit_pid)
    rabbitmqctl -q shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    pid_alive "$pid" && kill -9 "$pid"
    log "rabbitmq stopped"
  else
    log "rabbitmq not running"
  fi
  rm -f "$RABBITMQ_PID_FILE"
  # epmd (started by the node) lingers otherwise; stop it if nothing else uses it.
  if command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then
    epmd -kill >/dev/null 2>&1 || true
  fi
}

rabbit_status() {
  rabbit_env
  if rabbit_running; then
    echo "rabbitmq  up    127.0.0.1:$RABBIT_PORT (pid $(rabbit_pid), node $RABBIT_NODE)"
  else
    echo "rabbitmq  down"
  fi
}

# ---------------------------------------------------------------- azurite -----

AZ_DIR="$STATE/azurite"
AZ_PID="$AZ_DIR/azurite.pid"
AZ_BIN="$AZ_DIR/node_modules/.bin/azurite-blob"

azurite_installed() {
  [[ -x $AZ_BIN ]] &&
    [[ $(sed -nE 's/^ *"version": *"([^"]*)".*/\1/p' "$AZ_DIR/node_modules/azurite/package.json" 2>/dev/null | head -n1) == "$AZURITE_VERSION" ]]
}

az_pid() { [[ -f $AZ_PID ]] && cat "$AZ_PID" 2>/dev/null || true; }

az_running() {
  local pid; pid=$(az_pid)
  pid_alive "$pid" && grep -qa azurite "/proc/$pid/cmdline" 2>/dev/null
}

az_start() {
  if az_running && [[ -n $REC_BLOB_PORT ]]; then BLOB_PORT=$REC_BLOB_PORT; fi
  if az_running && port_open "$BLOB_PORT"; then
    AZ_STATUS="reused running process"
    return 0
  fi
  port_open "$BLOB_PORT" && die "127.0.0.1:$BLOB_PORT is already in use; set PIPELINE_BLOB_PORT"
  mkdir -p "$AZ_DIR/data"
  # nohup and setsid exec (no fork), so $! is the node process.
  nohup setsid "$AZ_BIN" --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --location "$AZ_DIR/data" \
    --skipApiVersionCheck --loose >"$AZ_DIR/azurite.log" 2>&1 </dev/null &
  echo $! >"$AZ_PID"
  wait_port "$BLOB_PORT" 30 || { tail -n 20 "$AZ_DIR/azurite.log" >&2; die "Azurite did not start"; }
  AZ_STATUS="started"
}

az_stop() {
  local pid i; pid=$(az_pid)
  if az_running; then
    kill "$pid"
    for ((i = 0; i < 50; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    pid_alive "$pid" && kill -9 "$pid"
    log "azurite stopped"
  else
    log "azurite not running"
  fi
  rm -f "$AZ_PID"
}

az_status() {
  if az_running && port_open "$BLOB_PORT"; then
    echo "azurite   up    127.0.0.1:$BLOB_PORT (pid $(az_pid), data $AZ_DIR/data)"
  else
    echo "azurite   down"
  fi
}

# ---------------------------------------------------------------- env file ----

write_env() {
  # The compose file gives RabbitMQ a 'pipeline' user (guest only logs in from loopback, and the worker's container
  # is not on it); the local node keeps guest, which is bound to 127.0.0.1 anyway.
  local rabbit_credentials=guest:guest
  [[ $1 == docker ]] && rabbit_credentials=pipeline:pipeline
  mkdir -p "$STATE"
  {
    echo "# Written by deploy/local/services.sh ($1 mode). Source it: . .local/services.env"
    echo "export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$PG_PORT;Username=pipeline;Password=pipeline;Database=pipeline'"
    echo "export ConnectionStrings__RabbitMq='amqp://$rabbit_credentials@127.0.0.1:$RABBIT_PORT/'"
    echo "export ConnectionStrings__Blobs='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_ACCOUNT_KEY;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;'"
    if [[ $1 == local && $RABBIT_NODE != "rabbit@$(hostname -s 2>/dev/null)" ]]; then
      echo "export RABBITMQ_NODENAME='$RABBIT_NODE'"
    fi
  } >"$ENV_FILE"
}

# ---------------------------------------------------------------- commands ----

up_docker() {
  local t; t=$(t0)
  export PIPELINE_PG_PORT=$PG_PORT PIPELINE_RABBIT_PORT=$RABBIT_PORT PIPELINE_BLOB_PORT=$BLOB_PORT \
    PIPELINE_RABBIT_MGMT_PORT=$RABBIT_MGMT_PORT
  log "Docker engine found: docker compose up postgres rabbitmq azurite"
  if docker compose version >/dev/null 2>&1; then
    compose up -d --wait postgres rabbitmq azurite >&2
  else
    compose up -d postgres rabbitmq azurite >&2
    wait_port "$PG_PORT" 120 && wait_port "$RABBIT_PORT" 120 && wait_port "$BLOB_PORT" 120 ||
      die "containers did not open their ports"
  fi
  local i
  for ((i = 0; ; i++)); do # the image's first-start init restarts the server once
    compose exec -T postgres psql -q -U pipeline -d pipeline \
      -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null 2>&1 && break
    ((i < 30)) || die "could not create the vector extension in the postgres container"
    sleep 2
  done
  mkdir -p "$STATE"
  echo docker >"$MODE_FILE"
  RABBIT_NODE=""
  save_ports
  write_env docker
  log "postgres  (app database + pgvector)  127.0.0.1:$PG_PORT"
  log "rabbitmq  (message queue)            127.0.0.1:$RABBIT_PORT, UI http://127.0.0.1:$RABBIT_MGMT_PORT"
  log "azurite   (blob storage emulator)    127.0.0.1:$BLOB_PORT"
  log "up in $(since "$t") (docker); env: $ENV_FILE"
}

up_local() {
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "local mode needs root (apt, service accounts)"
    exec sudo --preserve-env "$0" up
  fi
  local t tr tp ta
  t=$(t0)
  mkdir -p "$STATE"
  ensure_packages
  echo local >"$MODE_FILE"

  # RabbitMQ boots slowest: start it first and let the others start meanwhile.
  tr=$(t0)
  rabbit_start
  tp=$(t0)
  pg_start
  pg_setup
  log "postgres  (app database, pgvector $PG_VECTOR)  127.0.0.1:$PG_PORT  $PG_STATUS in $(since "$tp")"
  ta=$(t0)
  az_start
  log "azurite   (blob storage emulator $AZURITE_VERSION)  127.0.0.1:$BLOB_PORT  $AZ_STATUS in $(since "$ta")"
  rabbit_wait
  local ui=""
  [[ $RABBIT_MGMT == 1 ]] && ui=", UI http://127.0.0.1:$RABBIT_MGMT_PORT"
  log "rabbitmq  (message queue, node $RABBIT_NODE)  127.0.0.1:$RABBIT_PORT$ui  $RABBIT_STATUS in $(since "$tr")"

  save_ports
  write_env local
  log "up in $(since "$t"); env: . $ENV_FILE"
}

cmd_down() {
  use_recorded_ports
  case $(recorded_mode) in
    docker) compose down >&2 ;;
    local)
      ((EUID == 0)) || exec sudo --preserve-env "$0" down
      # RabbitMQ takes several seconds to shut down: do the rest meanwhile.
      rabbit_stop &
      local rabbit_job=$!
      pg_stop
      az_stop
      wait "$rabbit_job"
      ;;
  esac
}

cmd_status() {
  use_recorded_ports
  case $(recorded_mode) in
    docker) compose ps postgres rabbitmq azurite ;;
    local)
      ((EUID == 0)) || exec sudo --preserve-env "$0" status
      pg_status
      rabbit_status
      az_status
      ;;
  esac
}

case ${1:-} in
  up)
    case $(choose_mode) in
      docker) up_docker ;;
      local) up_local ;;
    esac
    ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env)
    [[ -f $ENV_FILE ]] || die "$ENV_FILE does not exist yet; run: $0 up"
    cat "$ENV_FILE"
    ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
