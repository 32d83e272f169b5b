#!/usr/bin/env bash
# Confluent.Kafka through the Kafka gateway against the native client, one node, in one run:
#   1. actorstream perf produce / perf consume (native protocol)
#   2. bench/ActorStream.KafkaPerf produce / consume (Confluent.Kafka 2.16, librdkafka defaults, Kafka listener)
#   3. bench/ActorStream.KafkaPerf latency: LATENCY_RATE records/s for LATENCY_SECONDS to a 1-partition topic with
#      linger.ms=0 and acks=1 (ack: the leader appended it), consumer fetch.wait.max.ms=10; end-to-end p50/p99
# The broker runs in its own process (loopback, temp dir, any free ports); each side gets its own topic. Prints the
# four summary lines and the Confluent.Kafka / native ratios. Stops the node it started by PID.
#
# Environment: RECORDS (1000000), RECORD_SIZE (100), PARTITIONS (4), CONFIGURATION (Release),
# NATIVE_PRODUCER_PROPS ("linger.ms=5 batch.size=1000000 enable.idempotence=false": librdkafka's defaults in the
# native client's names; acks=all is both clients' default), KAFKA_PRODUCER_PROPS (none), LATENCY_RATE (5000), LATENCY_SECONDS (10, 0 skips the latency run),
# NO_BUILD (set to skip the build).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
configuration="${CONFIGURATION:-Release}"
records="${RECORDS:-1000000}"
record_size="${RECORD_SIZE:-100}"
partitions="${PARTITIONS:-4}"
read -r -a native_props <<< "${NATIVE_PRODUCER_PROPS:-linger.ms=5 batch.size=1000000 enable.idempotence=false}"
read -r -a kafka_props <<< "${KAFKA_PRODUCER_PROPS:-}"
cli="$root/src/ActorStream.Cli/bin/$configuration/net10.0/actorstream.dll"
perf="$root/bench/ActorStream.KafkaPerf/bin/$configuration/net10.0/ActorStream.KafkaPerf.dll"

if [[ -z "${NO_BUILD:-}" ]]; then
  dotnet build "$root/src/ActorStream.Cli" -c "$configuration" -v quiet -nologo > /dev/null
  dotnet build "$root/bench/ActorStream.KafkaPerf" -c "$configuration" -v quiet -nologo > /dev/null
fi

work="$(mktemp -d -t actorstream-kafka-perf.XXXXXX)"
node_pid=""

cleanup() {
  if [[ -n "$node_pid" ]]; then
    kill -TERM "$node_pid" 2> /dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$node_pid" 2> /dev/null || break
      sleep 0.1
    done
    kill -KILL "$node_pid" 2> /dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$cli" node start --port 0 --kafka-port 0 --data "$work/data" > "$work/node.log" 2>&1 &
node_pid="$!"
for _ in $(seq 1 900); do
  grep -q " is up: " "$work/node.log" && break
  kill -0 "$node_pid" 2> /dev/null || break
  sleep 0.1
done
ready="$(grep " is up: " "$work/node.log" || true)"
if [[ -z "$ready" ]]; then
  echo "the node did not come up:" >&2
  tail -n 30 "$work/node.log" >&2
  exit 1
fi
bootstrap="$(sed -E 's/.* is up: bootstrap ([^ ,]+),.*/\1/' <<< "$ready")"
kafka_port="$(sed -nE 's/.*, kafka [A-Za-z0-9_-]+:\/\/[^ ,]+:([0-9]+)[ ,].*/\1/p' <<< "$ready")"
if [[ -z "$kafka_port" ]]; then
  echo "the node's ready line names no Kafka listener: $ready" >&2
  exit 1
fi
kafka="127.0.0.1:$kafka_port"

dotnet "$cli" topics create --bootstrap-server "$bootstrap" --topic perf-latency --partitions 1 > /dev/null
for topic in perf-native perf-confluent; do
  dotnet "$cli" topics create --bootstrap-server "$bootstrap" --topic "$topic" --partitions "$partitions" > /dev/null
done

props=()
for prop in "${native_props[@]}"; do
  props+=(--producer-property "$prop")
done
kprops=()
for prop in "${kafka_props[@]}"; do
  kprops+=(--producer-property "$prop")
done

echo "1 node (native $bootstrap, Kafka $kafka), $partitions partitions, $records records of $record_size bytes" >&2
echo "native producer: ${native_props[*]}; Confluent.Kafka: librdkafka defaults ${kafka_props[*]}" >&2
native_produce="$(dotnet "$cli" perf produce --bootstrap-server "$bootstrap" --topic perf-native --num-records "$records" \
  --record-size "$record_size" --throughput -1 "${props[@]}" | tail -n 1)"
echo "native produce:           $native_produce" >&2
native_consume="$(dotnet "$cli" perf consume --bootstrap-server "$bootstrap" --topic perf-native --messages "$records" | tail -n 1)"
echo "native consume:           $native_consume" >&2
kafka_produce="$(dotnet "$perf" produce --bootstrap-server "$kafka" --topic perf-confluent --num-records "$records" \
  --record-size "$record_size" "${kprops[@]}" | tail -n 1)"
echo "Confluent.Kafka produce:  $kafka_produce" >&2
kafka_consume="$(dotnet "$perf" consume --bootstrap-server "$kafka" --topic perf-confluent --messages "$records" | tail -n 1)"
echo "Confluent.Kafka consume:  $kafka_consume" >&2
if [[ "${LATENCY_SECONDS:-10}" != 0 ]]; then
  kafka_latency="$(dotnet "$perf" latency --bootstrap-server "$kafka" --topic perf-latency --rate "${LATENCY_RATE:-5000}" \
    --seconds "${LATENCY_SECONDS:-10}" | tail -n 1)"
  echo "Confluent.Kafka latency:  $kafka_latency" >&2
fi
rss_kib="$(ps -o rss= -p "$node_pid" | tr -d ' ')"

produced() { sed -E 's/^[0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/' <<< "$1"; }
consumed() { awk -F', ' '{ print $6 }' <<< "$1"; }
python3 - "$(produced "$native_produce")" "$(produced "$kafka_produce")" "$(consumed "$native_consume")" "$(consumed "$kafka_consume")" "$rss_kib" <<'PY' >&2
import sys
np, kp, nc, kc, rss = (float(v) for v in sys.argv[1:])
print(f"produce records/s: native {np:,.0f}, Confluent.Kafka {kp:,.0f}, ratio {kp / np:.2f}")
print(f"consume records/s: native {nc:,.0f}, Confluent.Kafka {kc:,.0f}, ratio {kc / nc:.2f}")
print(f"broker RSS after the runs: {rss / 1024:.0f} MiB")
PY
