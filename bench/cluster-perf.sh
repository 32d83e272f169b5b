#!/usr/bin/env bash
# Producer throughput and latency on a 3-node local cluster (loopback, temp dirs, one shared SQLite journal), topic
# with replication factor 3 and min.insync.replicas=2, 100-byte records:
#   1. as fast as possible with acks=1
#   2. as fast as possible with acks=all (idempotent, the default for acks=all)
#   3. acks=all at a fixed --throughput (latency percentiles without queueing in the producer)
# Prints the summary line of each run and the acks=all / acks=1 ratio. Stops every node it started by PID.
#
# Environment: CONFIGURATION (Release), RECORDS (1000000), RATE (5000), LATENCY_RECORDS (100000),
# PARTITIONS (3), PRODUCER_PROPS ("linger.ms=5 batch.size=262144"), NO_BUILD (set to skip the build).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
configuration="${CONFIGURATION:-Release}"
records="${RECORDS:-1000000}"
rate="${RATE:-5000}"
latency_records="${LATENCY_RECORDS:-100000}"
partitions="${PARTITIONS:-3}"
read -r -a producer_props <<< "${PRODUCER_PROPS:-linger.ms=5 batch.size=262144}"
dll="$root/src/ActorStream.Cli/bin/$configuration/net10.0/actorstream.dll"

if [[ -z "${NO_BUILD:-}" ]]; then
  dotnet build "$root/src/ActorStream.Cli" -c "$configuration" -v quiet -nologo > /dev/null
fi

work="$(mktemp -d -t actorstream-perf.XXXXXX)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2> /dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2> /dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ports=("$(free_port)" "$(free_port)" "$(free_port)")
seeds=()
for port in "${ports[@]}"; do
  seeds+=(--seed "127.0.0.1:$port")
done
bootstrap="127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"

start_node() {
  local id="$1"
  dotnet "$dll" node start --node-id "$id" --port "${ports[$id]}" --kafka-port 0 --data "$work/node-$id" \
    --journal "sqlite:$work/journal.db" "${seeds[@]}" > "$work/node-$id.log" 2>&1 &
  pids+=("$!")
}

wait_up() {
  local id="$1"
  for _ in $(seq 1 900); do
    if grep -q "is up" "$work/node-$id.log"; then
      return 0
    fi
    sleep 0.1
  done
  echo "node $id did not come up:" >&2
  tail -n 30 "$work/node-$id.log" >&2
  return 1
}

# Node 0 is the first seed: it forms the cluster, the others join it.
start_node 0
wait_up 0
start_node 1
start_node 2
wait_up 1
wait_up 2

# Replication factor 3 is refused until all three nodes have registered with the controller.
for attempt in $(seq 1 60); do
  if dotnet "$dll" topics create --bootstrap-server "$bootstrap" --topic perf --partitions "$partitions" \
      --replication-factor 3 --config min.insync.replicas=2 > "$work/create.log" 2>&1; then
    break
  fi
  if [[ "$attempt" == 60 ]]; then
    cat "$work/create.log" >&2
    exit 1
  fi
  sleep 1
done

perf() {
  local label="$1"
  shift
  local line
  line="$(dotnet "$dll" perf produce --bootstrap-server "$bootstrap" --topic perf --record-size 100 "$@" | tail -n 1)"
  printf '%-28s %s\n' "$label" "$line" >&2
  echo "$line"
}

props=()
for prop in "${producer_props[@]}"; do
  props+=(--producer-property "$prop")
done

echo "3 nodes, topic perf: $partitions partitions, RF 3, min.insync.replicas=2, 100-byte records, ${producer_props[*]}" >&2
acks1="$(perf "acks=1, max rate:" --num-records "$records" --throughput -1 --producer-property acks=1 "${props[@]}")"
acksall="$(perf "acks=all, max rate:" --num-records "$records" --throughput -1 --producer-property acks=all "${props[@]}")"
perf "acks=all, $rate records/s:" --num-records "$latency_records" --throughput "$rate" --producer-property acks=all "${props[@]}" > /dev/null

rate_of() { sed -E 's/^[0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/' <<< "$1"; }
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'acks=all / acks=1 throughput ratio: {b / a:.2f}')" \
  "$(rate_of "$acks1")" "$(rate_of "$acksall")" >&2
