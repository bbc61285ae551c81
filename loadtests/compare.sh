#!/usr/bin/env bash
# Loire beside RabbitMQ in one run, one broker at a time on 127.0.0.1:
#   1. builds the silo and the load generator (Release);
#   2. starts one silo on its embedded store (fresh data folder, Durability=Full: a send is acknowledged once
#      fsynced) on free ports, runs the load generator's scenarios, stops the silo;
#   3. runs the shared RabbitMQ baseline (run-baseline.sh, Redis skipped) with the same settings;
#   4. prints both summaries and the table: scenario | Loire | RabbitMQ quorum | RabbitMQ classic | ratios.
# Settings are environment variables (see loadtests/README.md). Exits non-zero when a Loire run failed or lost messages.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO/../shared/bench}

RUNS=${RUNS:-3}
MSGS=${MSGS:-200000}
SIZE=${SIZE:-1024}
WINDOW=${WINDOW:-1000}
PREFETCH=${PREFETCH:-500}
BATCH=${BATCH:-1}
LAT_RATE=${LAT_RATE:-2000}
LAT_SECS=${LAT_SECS:-10}
FANOUT_QUEUES=${FANOUT_QUEUES:-10}
FANOUT_MSGS=${FANOUT_MSGS:-50000}
LOIRE_SCENARIOS=${LOIRE_SCENARIOS-durable-1p1c,durable-4p4c,publish-only,fanout-$FANOUT_QUEUES}
LOIRE_ARGS=${LOIRE_ARGS:-}          # extra load-generator options, e.g. "--consumer processor"
# Latency runs consume the way the baseline's push consumer does (prefetch, one message handled at a time).
LOIRE_LAT_SCENARIOS=${LOIRE_LAT_SCENARIOS-latency@$LAT_RATE}
LOIRE_LAT_ARGS=${LOIRE_LAT_ARGS:---consumer processor --concurrency 1}
# 1: the latency scenarios run once more on queues with EnableEarlyDelivery (a message is handed to a waiting consumer
# while its commit is in flight, as RabbitMQ classic queues do; the send is still acknowledged once durable).
LOIRE_EARLY_LAT=${LOIRE_EARLY_LAT:-1}
RMQ_SCENARIOS=${RMQ_SCENARIOS:-quorum-1p1c,classic-1p1c,quorum-4p4c,classic-4p4c,quorum-pubonly,classic-pubonly,quorum-fanout10,classic-fanout10}
EXTRA_ARGS=${EXTRA_ARGS:-}          # noise-guard options for both generators, e.g. "--retries 0 --quiet-pct 200"
SKIP_RABBITMQ=${SKIP_RABBITMQ:-0}

WORK=${COMPARE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/loire-compare.XXXXXX")}
mkdir -p "$WORK"
export RMQBENCH_DIR=${RMQBENCH_DIR:-$WORK/rabbitmq}
LOG=$WORK/compare.log
LOIRE_RESULTS=$WORK/loire-results.txt
RMQ_OUT=$WORK/rabbitmq-results
: > "$LOIRE_RESULTS"

log() { echo "# $*" | tee -a "$LOG" >&2; }

# Sets variable $1 to a free 127.0.0.1 TCP port in 20000-59999 (no well-known default), never one set before in this run.
USED_PORTS=" "
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    case "$USED_PORTS" in *" $port "*) continue ;; esac
    if ! ss -Htan "sport = :$port" | grep -q .; then
      USED_PORTS="$USED_PORTS$port "
      printf -v "$1" '%s' "$port"
      return
    fi
  done
}

SILO_PID=
stop_silo() {
  [ -n "$SILO_PID" ] || return 0
  if kill -0 "$SILO_PID" 2>/dev/null; then
    kill -TERM "$SILO_PID"
    # graceful shutdown flushes the store; give it 30 s, then kill
    for _ in $(seq 1 60); do kill -0 "$SILO_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SILO_PID" 2>/dev/null && kill -KILL "$SILO_PID"
  fi
  wait "$SILO_PID" 2>/dev/null || true
  SILO_PID=
}
trap stop_silo EXIT
trap 'exit 130' INT TERM

# ---- 1. build -------------------------------------------------------------------------------------
log "building the silo and the load generator (Release) into $WORK/bin"
dotnet build "$REPO/silo/Loire.Silo.csproj" -c Release -o "$WORK/bin/silo" -nologo -tl:off >>"$LOG" 2>&1 \
  || { echo "silo build failed, see $LOG" >&2; exit 1; }
dotnet build "$REPO/loadtests/Loire.LoadGen/Loire.LoadGen.csproj" -c Release -o "$WORK/bin/loadgen" -nologo -tl:off >>"$LOG" 2>&1 \
  || { echo "load generator build failed, see $LOG" >&2; exit 1; }
LOADGEN=(dotnet "$WORK/bin/loadgen/Loire.LoadGen.dll")

# ---- 2. Loire -------------------------------------------------------------------------------------
free_port GATEWAY_PORT; free_port SILO_PORT; free_port HTTP_PORT
log "starting a Loire silo: gateway 127.0.0.1:$GATEWAY_PORT, data $WORK/silo-data, durability full"
# LOIRE_* variables are silo settings; only the flags below must count (the script's own LOIRE_* settings stay)
SILO_ENV=(env)
for name in $(compgen -e | grep '^LOIRE_' || true); do SILO_ENV+=(-u "$name"); done
"${SILO_ENV[@]}" dotnet "$WORK/bin/silo/Loire.Silo.dll" --data-dir "$WORK/silo-data" --durability full \
  --silo-port "$SILO_PORT" --gateway-port "$GATEWAY_PORT" --http-port "$HTTP_PORT" > "$WORK/silo.log" 2>&1 &
SILO_PID=$!
for _ in $(seq 1 240); do
  grep -q '^Loire silo ready' "$WORK/silo.log" && break
  kill -0 "$SILO_PID" 2>/dev/null || { cat "$WORK/silo.log" >&2; echo "the silo exited before it was ready" >&2; exit 1; }
  sleep 0.5
done
grep -q '^Loire silo ready' "$WORK/silo.log" || { echo "the silo was not ready within 120 s, see $WORK/silo.log" >&2; exit 1; }
log "silo pid $SILO_PID; scenarios $LOIRE_SCENARIOS; latency scenarios $LOIRE_LAT_SCENARIOS ($LOIRE_LAT_ARGS)"

LOIRE_STATUS=0
# Runs the load generator for scenario list $1 with extra options $2 (appending to the results file).
run_loadgen() {
  [ -n "$1" ] || return 0
  # shellcheck disable=SC2086 # option lists are meant to split
  "${LOADGEN[@]}" --gateway "127.0.0.1:$GATEWAY_PORT" --broker-pid "$SILO_PID" --scenarios "$1" \
    --runs "$RUNS" --messages "$MSGS" --size "$SIZE" --window "$WINDOW" --prefetch "$PREFETCH" --batch "$BATCH" \
    --lat-secs "$LAT_SECS" --fanout-messages "$FANOUT_MSGS" --out "$LOIRE_RESULTS" \
    --broker-metrics "http://127.0.0.1:$HTTP_PORT/metrics" $2 $EXTRA_ARGS \
    | tee -a "$LOG" || LOIRE_STATUS=$?    # stderr stays on the terminal, so the progress display shows
}
run_loadgen "$LOIRE_SCENARIOS" "$LOIRE_ARGS"
run_loadgen "$LOIRE_LAT_SCENARIOS" "$LOIRE_LAT_ARGS"
if [ "$LOIRE_EARLY_LAT" = 1 ]; then
  run_loadgen "$LOIRE_LAT_SCENARIOS" "$LOIRE_LAT_ARGS --early-delivery"
fi
log "stopping the silo"
stop_silo

# ---- 3. RabbitMQ ----------------------------------------------------------------------------------
RMQ_RESULTS=
if [ "$SKIP_RABBITMQ" != 1 ]; then
  mkdir -p "$RMQ_OUT"
  free_port RMQ_PORT; free_port RMQ_DIST_PORT; free_port RMQ_EPMD_PORT
  log "running the RabbitMQ baseline ($BENCH_DIR/run-baseline.sh) in $RMQBENCH_DIR, AMQP on 127.0.0.1:$RMQ_PORT"
  RMQ_PORT=$RMQ_PORT RMQ_DIST_PORT=$RMQ_DIST_PORT RMQ_EPMD_PORT=$RMQ_EPMD_PORT \
  SKIP_REDIS=1 OUT_DIR="$RMQ_OUT" RUNS="$RUNS" MSGS="$MSGS" SIZE="$SIZE" WINDOW="$WINDOW" PREFETCH="$PREFETCH" \
  LAT_RATE="$LAT_RATE" LAT_SECS="$LAT_SECS" FANOUT_QUEUES="$FANOUT_QUEUES" FANOUT_MSGS="$FANOUT_MSGS" \
  RMQ_SCENARIOS="$RMQ_SCENARIOS" EXTRA_ARGS="$EXTRA_ARGS" \
    "$BENCH_DIR/run-baseline.sh" 2>&1 | tee -a "$LOG" | grep --line-buffered -v '^summary ' \
    || log "the RabbitMQ baseline reported failures"
  RMQ_RESULTS=$(ls -t "$RMQ_OUT"/results-*.txt 2>/dev/null | head -1 || true)
fi

# ---- 4. tables ------------------------------------------------------------------------------------
echo
echo "# Loire: median (min-max) over $RUNS runs; raw lines: $LOIRE_RESULTS"
"${LOADGEN[@]}" summarize "$LOIRE_RESULTS" | tee "$WORK/loire-summary.md"
if [ -n "$RMQ_RESULTS" ]; then
  echo
  echo "# Loire vs RabbitMQ (medians; throughput ratio > 1: Loire faster; latency ratio of p99 > 1: Loire slower); RabbitMQ lines: $RMQ_RESULTS"
  "${LOADGEN[@]}" compare "$LOIRE_RESULTS" "$RMQ_RESULTS" | tee "$WORK/comparison.md"
fi
echo "# everything is in $WORK"
exit "$LOIRE_STATUS"
