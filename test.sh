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

results="$PWD/TestResults"
rm -rf "$results"

if ! dotnet build ActorStream.sln -c Release -nologo -clp:ErrorsOnly; then
    echo "0 passed, 1 failed"
    echo "error: the build failed" >&2
    exit 1
fi

dotnet test ActorStream.sln -c Release --no-build --nologo \
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
    skipped=$((skipped + $(count notExecuted)))
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
