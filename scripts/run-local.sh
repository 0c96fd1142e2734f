#!/usr/bin/env bash
# Runs Shop on this machine: Azurite (storage), MailDev (SMTP server for the customer e-mails, web UI on
# http://localhost:1080), the Service Bus emulator (Docker), then `func start`.
#   ACCEPT_EULA=Y scripts/run-local.sh
# Needs only .NET 10, Node.js 20+ and Docker: Azurite and MailDev run through npx at pinned versions, and so does
# Azure Functions Core Tools v4 where no `func` 4.x is on PATH (docs/development.md, "Run it locally").
# ACCEPT_EULA=Y accepts the licences of the Service Bus emulator and SQL Server (its database), which Docker runs.
# Ctrl+C stops the functions host, Azurite and MailDev; the emulator keeps running (stop it with the command printed below).
set -euo pipefail
cd "$(dirname "$0")/.."

AZURITE_VERSION="3.37.0"
MAILDEV_VERSION="3.0.0"
CORE_TOOLS_VERSION="4.15.1" # azure-functions-core-tools on npm, used where no func 4.x is installed
MAILDEV_SMTP_PORT=1025 # Email__Smtp__Port in local.settings.sample.json
MAILDEV_WEB_PORT=1080
COMPOSE_FILE="infra/local/docker-compose.yml"
EMULATOR_HEALTH_URL="http://localhost:5300/health"

missing=()
need() { # need COMMAND "how to get it"
  if ! command -v "$1" >/dev/null 2>&1; then
    missing+=("$1: $2")
    return 1
  fi
}

need dotnet "install the .NET 10 SDK: https://dotnet.microsoft.com/download" || true
if need node "install Node.js 20 or later: https://nodejs.org (or your package manager, e.g. 'sudo apt-get install nodejs npm')"; then
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$node_major" -lt 20 ]; then
    missing+=("node: version $(node --version) is too old; install Node.js 20 or later: https://nodejs.org")
  fi
  need npx "npx comes with npm: install npm with Node.js (https://nodejs.org)" || true
fi
if need docker "install Docker (Docker Desktop or Docker Engine with the compose plugin): https://docs.docker.com/get-docker/"; then
  if ! docker compose version >/dev/null 2>&1; then
    missing+=("docker compose: install the Docker Compose v2 plugin: https://docs.docker.com/compose/install/")
  elif ! docker info >/dev/null 2>&1; then
    missing+=("docker: the Docker daemon is not running (or you lack permission): start Docker Desktop, or 'sudo systemctl start docker'")
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "run-local: missing prerequisites:" >&2
  for item in "${missing[@]}"; do
    echo "  - $item" >&2
  done
  exit 1
fi

if [ "${ACCEPT_EULA:-}" != "Y" ]; then
  cat >&2 <<'EOF'
run-local: the Service Bus emulator and SQL Server run under their own licences:
  https://github.com/Azure/azure-service-bus-emulator-installer/blob/main/EMULATOR_EULA.txt
  the SQL Server container image's licence (mcr.microsoft.com/mssql/server, linked from its registry page)
Run again with ACCEPT_EULA=Y to accept them:  ACCEPT_EULA=Y scripts/run-local.sh
EOF
  exit 1
fi
export ACCEPT_EULA

# The functions host: an installed Core Tools 4.x, else the pinned npm package through npx (its install step downloads
# the Core Tools build for this platform on first use, into npm's cache).
if command -v func >/dev/null 2>&1 && [[ "$(func --version 2>/dev/null || true)" == 4.* ]]; then
  func_command=(func start)
  echo "run-local: using the installed Azure Functions Core Tools $(func --version 2>/dev/null) ($(command -v func))"
else
  func_command=(npx --yes "--package=azure-functions-core-tools@${CORE_TOOLS_VERSION}" -- func start)
  if command -v func >/dev/null 2>&1; then
    echo "run-local: the installed func is not version 4.x; running Azure Functions Core Tools ${CORE_TOOLS_VERSION} through npx instead"
  else
    echo "run-local: func is not installed; running Azure Functions Core Tools ${CORE_TOOLS_VERSION} through npx (the first run downloads it)"
  fi
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# 1. Azurite (blob 10000, queue 10001, table 10002), unless one is already listening.
azurite_pid=""
maildev_pid=""
cleanup() {
  if [ -n "$azurite_pid" ]; then
    kill "$azurite_pid" 2>/dev/null || true
  fi
  if [ -n "$maildev_pid" ]; then
    kill "$maildev_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
if port_open 10000 && port_open 10001 && port_open 10002; then
  echo "run-local: Azurite is already listening on 10000-10002; using it."
else
  mkdir -p .azurite
  echo "run-local: starting Azurite ${AZURITE_VERSION} (data and log in .azurite/)"
  npx --yes "azurite@${AZURITE_VERSION}" --silent --skipApiVersionCheck --disableTelemetry \
    --location .azurite --debug .azurite/debug.log >.azurite/azurite.log 2>&1 &
  azurite_pid=$!
  for _ in $(seq 1 60); do
    if port_open 10000 && port_open 10001 && port_open 10002; then break; fi
    if ! kill -0 "$azurite_pid" 2>/dev/null; then
      echo "run-local: Azurite exited; see .azurite/azurite.log" >&2
      exit 1
    fi
    sleep 1
  done
  port_open 10002 || { echo "run-local: Azurite did not start within 60 s; see .azurite/azurite.log" >&2; exit 1; }
fi

# 1b. MailDev: the SMTP server the sample settings send customer e-mails to (Email__Provider=Smtp), on loopback
# only; its web UI shows every e-mail. Mails are kept in .maildev/mail across runs.
if port_open "$MAILDEV_SMTP_PORT"; then
  echo "run-local: something already listens on ${MAILDEV_SMTP_PORT}; using it as the SMTP server."
else
  mkdir -p .maildev/mail
  echo "run-local: starting MailDev ${MAILDEV_VERSION} (log in .maildev/)"
  npx --yes "maildev@${MAILDEV_VERSION}" --ip 127.0.0.1 --smtp "$MAILDEV_SMTP_PORT" \
    --web-ip 127.0.0.1 --web "$MAILDEV_WEB_PORT" --mail-directory .maildev/mail >.maildev/maildev.log 2>&1 &
  maildev_pid=$!
  for _ in $(seq 1 60); do
    if port_open "$MAILDEV_SMTP_PORT" && port_open "$MAILDEV_WEB_PORT"; then break; fi
    if ! kill -0 "$maildev_pid" 2>/dev/null; then
      echo "run-local: MailDev exited; see .maildev/maildev.log" >&2
      exit 1
    fi
    sleep 1
  done
  port_open "$MAILDEV_SMTP_PORT" || { echo "run-local: MailDev did not start within 60 s; see .maildev/maildev.log" >&2; exit 1; }
fi
echo "run-local: customer e-mails: http://localhost:${MAILDEV_WEB_PORT} (MailDev's web UI)"

# 2. The Service Bus emulator with the topology in infra/local/servicebus-emulator.json.
echo "run-local: starting the Service Bus emulator (docker compose -f ${COMPOSE_FILE} up -d)"
docker compose -f "$COMPOSE_FILE" up -d
echo "run-local: waiting for the emulator (${EMULATOR_HEALTH_URL}); the first start pulls images and takes a while"
healthy=""
for _ in $(seq 1 120); do
  if command -v curl >/dev/null 2>&1; then
    curl -fsS "$EMULATOR_HEALTH_URL" >/dev/null 2>&1 && healthy=yes
  else
    port_open 5672 && port_open 5300 && healthy=yes
  fi
  [ -n "$healthy" ] && break
  sleep 2
done
if [ -z "$healthy" ]; then
  echo "run-local: the emulator is not healthy after 4 minutes; see 'docker compose -f ${COMPOSE_FILE} logs emulator'" >&2
  exit 1
fi
echo "run-local: emulator ready. Stop it later with: docker compose -f ${COMPOSE_FILE} down"

# 3. Settings: the sample points at Azurite and the emulator.
if [ ! -f functions/local.settings.json ]; then
  cp local.settings.sample.json functions/local.settings.json
  echo "run-local: created functions/local.settings.json from local.settings.sample.json"
fi

# 4. The functions host (builds the app first). Ctrl+C stops it, and Azurite and MailDev with it.
cd functions
echo "run-local: starting the functions host in functions/: ${func_command[*]}"
"${func_command[@]}"
