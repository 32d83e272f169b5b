#!/usr/bin/env bash
# The benchmark suite, one command: ActorStream (native client and Confluent.Kafka on the Kafka listener), NATS
# JetStream and Redis Streams side by side, with the machine's file-append and loopback-TCP limits, in one run.
#
#   bench/run.sh             # the full profile (or --full)
#   bench/run.sh --quick     # the quick profile, a few minutes (or QUICK=1 bench/run.sh)
#
# Builds the CLI and bench/ActorStream.Bench in Release, installs nats-server and redis-server with apt-get when
# missing (root), and runs the suite: it starts the servers itself (free loopback ports, a temp work directory),
# stops them by PID, prints one table and writes JSON to bench/results/ (OUT=FILE to choose). This script's exit trap
# stops, by PID, any server the suite left running.
#
# Environment: QUICK (set for the quick profile), SYSTEMS (native,kafka,nats,redis: a subset to run), SCALE (record
# counts times this, e.g. 0.2 for a smoke run), OUT (the JSON file), NO_BUILD (set to skip the build), CONFIGURATION
# (Release), KEEP_WORK (set to keep the work directory with the servers' logs).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
profile=full
[[ -n "${QUICK:-}" ]] && profile=quick
for arg in "$@"; do
  case "$arg" in
    --quick) profile=quick ;;
    --full) profile=full ;;
    *) echo "usage: bench/run.sh [--quick|--full]" >&2; exit 2 ;;
  esac
done
configuration="${CONFIGURATION:-Release}"
systems="${SYSTEMS:-native,kafka,nats,redis}"

need_packages=()
if [[ ",$systems," == *",nats,"* ]] && ! command -v nats-server > /dev/null; then need_packages+=(nats-server); fi
if [[ ",$systems," == *",redis,"* ]] && ! command -v redis-server > /dev/null; then need_packages+=(redis-server); fi
if (( ${#need_packages[@]} > 0 )); then
  echo "installing ${need_packages[*]} (apt-get)" >&2
  apt-get update -qq
  # policy-rc.d keeps the packages' system services from starting: the suite runs its own servers.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" > /dev/null
fi

cli="$root/src/ActorStream.Cli/bin/$configuration/net10.0/actorstream.dll"
bench="$root/bench/ActorStream.Bench/bin/$configuration/net10.0/ActorStream.Bench.dll"
if [[ -z "${NO_BUILD:-}" ]]; then
  echo "building the CLI and the suite ($configuration)" >&2
  dotnet build "$root/src/ActorStream.Cli" -c "$configuration" -nologo -clp:ErrorsOnly -v quiet > /dev/null
  dotnet build "$root/bench/ActorStream.Bench" -c "$configuration" -nologo -clp:ErrorsOnly -v quiet > /dev/null
fi

commit="$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2> /dev/null)" ]]; then commit="$commit+dirty"; fi
out="${OUT:-$root/bench/results/$profile-$(date -u +%Y%m%dT%H%M%SZ).json}"
work="$(mktemp -d -t actorstream-bench.XXXXXX)"

cleanup() {
  if [[ -f "$work/pids" ]]; then
    while read -r pid; do
      kill -TERM "$pid" 2> /dev/null || true
    done < "$work/pids"
    while read -r pid; do
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
      done
      kill -KILL "$pid" 2> /dev/null || true
    done < "$work/pids"
  fi
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

dotnet "$bench" --profile "$profile" --cli "$cli" --work "$work" --json "$out" --commit "$commit" \
  --systems "$systems" --scale "${SCALE:-1}"
