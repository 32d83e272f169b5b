#!/usr/bin/env bash
# Runs the whole ActorStream test suite and ends with one line: "N passed, N failed[, N skipped]".
# Run it as root on Debian 12 with the .NET 10 SDK: it installs whatever else the tests need.
# Exit status: 0 when every test passed, non-zero when a test failed, the build failed or no test ran.
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET 10 SDK (dotnet) is required" >&2
    exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- docker-compose (begin) ---------------------------------------------------------------------------------------
# DockerComposeSpec validates docker/docker-compose.yml with `docker-compose config`, which needs no Docker engine.
# Debian 12's docker-compose package is the python 1.29 tool. Idempotent: skipped when the command already exists.
if ! command -v docker-compose >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1; } \
            || echo "warning: could not install docker-compose; DockerComposeSpec will fail" >&2
    else
        echo "warning: docker-compose is missing and apt-get is unavailable; DockerComposeSpec will fail" >&2
    fi
fi
# --- docker-compose (end) -----------------------------------------------------------------------------------------

# --- kcat (begin) -------------------------------------------------------------------------------------------------
# The Kafka gateway's specs (tests/ActorStream.Kafka.Tests) run kcat, a real Kafka client (Debian 12: kcat 1.7.1 on
# librdkafka 2.0.2). Idempotent: skipped when the command already exists.
if ! command -v kcat >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null 2>&1; } \
            || echo "warning: could not install kcat; the kcat specs will fail" >&2
    else
        echo "warning: kcat is missing and apt-get is unavailable; the kcat specs will fail" >&2
    fi
fi
# --- kcat (end) ---------------------------------------------------------------------------------------------------

# --- npm (begin) --------------------------------------------------------------------------------------------------
# The kafkajs and NestJS specs (tests/ActorStream.Kafka.Tests/Js) run the scripts of the npm project
# tests/ActorStream.Kafka.Tests/js on the machine's node (20 or newer; never installed here). `npm ci` installs exactly
# the committed lockfile's packages (node_modules is not committed), from npm's cache when it has them. Without node,
# npm or a reachable registry the install fails here with npm's reason and those specs fail, naming `npm ci`.
js_project=tests/ActorStream.Kafka.Tests/js
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "warning: node 20+ and npm are not installed; the kafkajs and NestJS specs will fail" >&2
elif [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "warning: node $(node --version) is older than 20 (NestJS 12 needs 20+); the kafkajs and NestJS specs will fail" >&2
elif ! (cd "$js_project" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error --fetch-retries=2 --fetch-timeout=60000 >/dev/null); then
    echo "warning: npm ci failed in $js_project (is the npm registry reachable?); the kafkajs and NestJS specs will fail" >&2
fi
# --- npm (end) ----------------------------------------------------------------------------------------------------

# The PostgreSQL journal specs need a local server on 127.0.0.1 (Debian's default listen address) with a role and a
# database of their own; they read the connection string from ACTORSTREAM_TEST_POSTGRES and fail (never skip) without it.
pg_role=actorstream_test pg_password=actorstream_test pg_database=actorstream_test
setup_postgres() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        echo "Installing PostgreSQL (for the PostgreSQL journal specs)"
        apt-get update -qq >/dev/null &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
    fi
    local cluster
    cluster=$(pg_lsclusters -h 2>/dev/null | head -1)
    if [ -z "$cluster" ]; then
        local version
        version=$(ls /usr/lib/postgresql | sort -V | tail -1)
        [ -n "$version" ] || return 1
        pg_createcluster "$version" main >/dev/null || return 1
        cluster=$(pg_lsclusters -h | head -1)
    fi
    local version name port status
    read -r version name port status _ <<<"$cluster"
    if [ "$status" != "online" ]; then
        pg_ctlcluster "$version" "$name" start || return 1
    fi
    pg_port=$port
    local psql=(runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtA)
    "${psql[@]}" -c "DO \$\$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_role') THEN
            CREATE ROLE $pg_role LOGIN PASSWORD '$pg_password';
          END IF;
        END \$\$;" >/dev/null || return 1
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$pg_database'")" != "1" ]; then
        "${psql[@]}" -c "CREATE DATABASE $pg_database OWNER $pg_role" >/dev/null || return 1
    fi
}
pg_port=5432
if [ -n "${ACTORSTREAM_TEST_POSTGRES:-}" ]; then
    echo "Using the PostgreSQL server of ACTORSTREAM_TEST_POSTGRES"
elif setup_postgres; then
    export ACTORSTREAM_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=$pg_role;Password=$pg_password;Database=$pg_database"
else
    echo "warning: PostgreSQL could not be set up on 127.0.0.1; the PostgreSQL journal specs will fail" >&2
fi

results="$PWD/TestResults"
rm -rf "$results"

if ! dotnet build ActorStream.sln -c Release -nologo -clp:ErrorsOnly; then
    echo "0 passed, 1 failed"
    echo "error: the build failed" >&2
    exit 1
fi

# -m:1: one test project at a time. The cluster and process tests time failovers with real failure detectors; on a
# 2-core machine they must not compete with another project's nodes for the CPU.
dotnet test ActorStream.sln -c Release --no-build --nologo -m:1 \
    --logger "trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" \
    --blame-hang-timeout 10m
status=$?

passed=0 failed=0 skipped=0 files=0
shopt -s nullglob
for trx in "$results"/*.trx; do
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    count() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
    passed=$((passed + $(count passed)))
    failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
    # xunit reports a skipped test as not executed: total - executed (TRX leaves notExecuted at 0).
    skipped=$((skipped + $(count total) - $(count executed)))
done

summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
    summary="$summary, $skipped skipped"
fi
echo "$summary"

if [ "$status" -ne 0 ] || [ "$failed" -gt 0 ]; then
    exit 1
fi
if [ "$files" -eq 0 ] || [ "$passed" -eq 0 ]; then
    echo "error: no test ran" >&2
    exit 1
fi
exit 0
