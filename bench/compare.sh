#!/usr/bin/env bash
# neox4j vs llama.cpp side by side, same GGUF file, same thread count, one run.
#
# Usage: bench/compare.sh [shape:type ...]
#   default: pythia-1.4b:Q4_0 pythia-1.4b:Q8_0 pythia-1.4b:Q4_K_M   (add pythia-12b:Q4_0 etc. as you like)
#   type: a llama file type (Q4_0, Q8_0, Q4_K_M, F16, ...) or, with MIX=pure, a weight type for every matrix.
# Environment:
#   THREADS=<nproc>  PP=128  TG=32  REPS=3  STREAMS=4 (1 = skip the concurrent-streams test)  KERNELS=auto
#   MIX=default|pure  MVN="./mvnw -B -q"  (add -o to stay offline)  OUT=target/bench-results
#   SERVER=1 (0 = skip the through-the-API run)  SERVER_PORT=18201  SERVER_REPS=7  LONG=0 (e.g. 1536: also a long
#   prompt through the API)  SERVER_JAVA_OPTS="" (the README's plain start; e.g. the containers' options instead)
#   JAVA_HOME: a JDK 25 (the bench JVM is the one running Maven)
#
# For each model: generates it once with the project's own writer (target/bench-models/<shape>-<type>.gguf, via the
# Bench entry point), runs llama.cpp through node-llama-cpp 3.21.1 (bench/llama-bench.mjs; installed into
# bench/.scratch on first use), then neox4j in-process (exec:exec@bench), then neox4j through its API (the packaged
# server on SERVER_PORT, timed by bench/server-bench.mjs from the responses' `timings`, min/median/max over
# SERVER_REPS requests), and prints a markdown table with the ratios neox4j / llama.cpp. Raw JSON lines go to $OUT/compare-<timestamp>.jsonl, the table to $OUT/compare-<timestamp>.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
THREADS=${THREADS:-$(nproc)}
PP=${PP:-128}
TG=${TG:-32}
REPS=${REPS:-3}
STREAMS=${STREAMS:-4}
KERNELS=${KERNELS:-auto}
MIX=${MIX:-default}
MVN=${MVN:-"./mvnw -B -q"}
OUT=${OUT:-target/bench-results}
SCRATCH=${SCRATCH:-"$ROOT/bench/.scratch"}
SERVER=${SERVER:-1}
SERVER_PORT=${SERVER_PORT:-18201}
SERVER_REPS=${SERVER_REPS:-7}
LONG=${LONG:-0}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
LLAMA_VERSION=3.21.1
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(pythia-1.4b:Q4_0 pythia-1.4b:Q8_0 pythia-1.4b:Q4_K_M)
fi

# --- a JDK 25 runs Maven, the in-process bench and the server (an older default `java` fails the build obscurely)
java_version=$("${JAVA_HOME:-/nonexistent}/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java\.specification\.version = //p' || true)
# the major version ("1.8" -> 1); anything that is not a number fails the test and stops the script
if [ -z "${JAVA_HOME:-}" ] || ! [ "${java_version%%.*}" -ge 25 ] 2>/dev/null; then
  echo "bench/compare.sh needs JAVA_HOME set to a JDK 25 or newer (JAVA_HOME='${JAVA_HOME:-}'," \
    "java.specification.version '${java_version:-none}')" >&2
  exit 2
fi

# --- node-llama-cpp in a scratch folder outside the sources (git-ignored)
installed=$(node -p "try { require('$SCRATCH/node_modules/node-llama-cpp/package.json').version } catch { '' }" 2>/dev/null || true)
if [ "$installed" != "$LLAMA_VERSION" ]; then
  echo "installing node-llama-cpp@$LLAMA_VERSION into $SCRATCH ..." >&2
  mkdir -p "$SCRATCH"
  [ -f "$SCRATCH/package.json" ] || echo '{"name":"neox4j-bench-scratch","private":true,"type":"module"}' > "$SCRATCH/package.json"
  (cd "$SCRATCH" && npm i -E --no-audit --no-fund "node-llama-cpp@$LLAMA_VERSION" >&2)
fi
# node resolves imports next to the script, so run a copy inside the scratch folder
cp bench/llama-bench.mjs bench/compare-report.mjs bench/server-bench.mjs "$SCRATCH/"

mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL="$OUT/compare-$STAMP.jsonl"
: > "$JSONL"

echo "compiling ..." >&2
if [ "$SERVER" = 1 ]; then
  $MVN package -DskipTests >&2   # the server jar (target/quarkus-app) and the test classes of the bench
  $MVN test-compile >&2
else
  $MVN test-compile >&2
fi

bench() { # extra -D options for the Bench entry point
  $MVN exec:exec@bench -Dbench.threads="$THREADS" -Dbench.pp="$PP" -Dbench.tg="$TG" -Dbench.reps="$REPS" \
    -Dbench.kernels="$KERNELS" -Dbench.mix="$MIX" "$@"
}

# tags every JSON line of stdin with the model label and the engine that produced it
tag() { node -e '
  const [label, engine] = process.argv.slice(1);
  let buf = "";
  process.stdin.on("data", d => buf += d).on("end", () => {
    for (const line of buf.split("\n")) {
      if (!line.startsWith("{")) continue;
      try { console.log(JSON.stringify({label, engine, ...JSON.parse(line)})); } catch {}
    }
  });' "$1" "$2"; }

# runs a command, shows its output on stderr and appends its JSON lines, tagged, to $JSONL
# (not `tee /dev/stderr`: when stderr is a file, tee reopens and truncates it)
record() { # label engine command...
  local label=$1 engine=$2 out
  shift 2
  out=$("$@")
  printf '%s\n' "$out" >&2
  printf '%s\n' "$out" | tag "$label" "$engine" >> "$JSONL"
}

# the packaged server on $SERVER_PORT serving $1; prints its PID once /q/health/ready is UP
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT
server_bench() { # file label
  local file=$1 label=$2 log="$OUT/server-$STAMP.log" started
  started=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED $SERVER_JAVA_OPTS \
    -Dquarkus.http.port="$SERVER_PORT" -Dneox.model="$file" -Dneox.threads="$THREADS" \
    -jar target/quarkus-app/quarkus-run.jar >>"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    if curl -fs "http://127.0.0.1:$SERVER_PORT/q/health/ready" >/dev/null 2>&1; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited, see $log" >&2; SERVER_PID=; return 1; }
    sleep 0.1
  done
  local rss ready served
  ready=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  # a plain start serves from a child JVM with the recommended options (README "JVM options of a plain start")
  served=$(pgrep -P "$SERVER_PID" java || echo "$SERVER_PID")
  rss=$(awk '/^VmRSS/ {print $2 * 1024}' "/proc/$served/status")
  record "$label" neox4j-api node "$SCRATCH/server-bench.mjs" "http://127.0.0.1:$SERVER_PORT" --pp "$PP" --tg "$TG" \
    --reps "$SERVER_REPS" --streams "$STREAMS" --long "$LONG"
  echo "{\"test\":\"server-memory\",\"readySeconds\":$ready,\"rssAfterLoad\":$rss,\"VmHWM\":$(awk '/^VmHWM/ {print $2 * 1024}' \
    "/proc/$served/status")}" | tag "$label" neox4j-api >> "$JSONL"
  stop_server
}

for m in "${MODELS[@]}"; do
  shape=${m%%:*}
  type=${m#*:}
  label="$shape $type"
  echo "== $label: generating (cached) ..." >&2
  file=$(bench -Dbench.shape="$shape" -Dbench.type="$type" -Dbench.generateOnly=true | sed -n 's/^model: //p')
  [ -f "$file" ] || { echo "no model file for $label" >&2; exit 1; }
  echo "{\"test\":\"loadavg\",\"before\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" | tag "$label" machine >> "$JSONL"
  echo "== $label: llama.cpp ($file, $THREADS threads) ..." >&2
  record "$label" llama.cpp node "$SCRATCH/llama-bench.mjs" "$file" --threads "$THREADS" --pp "$PP" --tg "$TG" \
    --reps "$REPS"
  if [ "$LONG" -gt 0 ]; then
    record "$label" llama.cpp node "$SCRATCH/llama-bench.mjs" "$file" --threads "$THREADS" --pp "$LONG" --tg 4 \
      --reps 2
  fi
  if [ "$STREAMS" -gt 1 ]; then
    record "$label" llama.cpp node "$SCRATCH/llama-bench.mjs" "$file" --threads "$THREADS" --pp "$PP" --tg "$TG" \
      --reps "$REPS" --parallel "$STREAMS"
  fi
  echo "== $label: neox4j ..." >&2
  record "$label" neox4j bench -Dbench.model="$file" -Dbench.streams="$STREAMS"
  if [ "$SERVER" = 1 ]; then
    echo "== $label: neox4j through the API (port $SERVER_PORT) ..." >&2
    server_bench "$file" "$label"
  fi
done

node "$SCRATCH/compare-report.mjs" "$JSONL" | tee "$OUT/compare-$STAMP.md"
echo "raw results: $JSONL" >&2
