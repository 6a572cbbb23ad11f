#!/usr/bin/env bash
# neox4j vs llama.cpp side by side, same GGUF file, same thread count, one run.
#
# Usage: bench/compare.sh [shape:type ...]
#   default: pythia-1.4b:Q4_0 pythia-1.4b:Q8_0 pythia-1.4b:Q4_K_M   (add pythia-12b:Q4_0 etc. as you like)
#   type: a llama file type (Q4_0, Q8_0, Q4_K_M, F16, ...) or, with MIX=pure, a weight type for every matrix.
# Environment:
#   THREADS=<nproc>  PP=128  TG=32  REPS=3  STREAMS=4 (1 = skip the concurrent-streams test)  KERNELS=auto
#   MIX=default|pure  MVN="./mvnw -B -q"  (add -o to stay offline)  OUT=target/bench-results
#   JAVA_HOME: a JDK 25 (the bench JVM is the one running Maven)
#
# For each model: generates it once with the project's own writer (target/bench-models/<shape>-<type>.gguf, via the
# Bench entry point), runs llama.cpp through node-llama-cpp 3.21.1 (bench/llama-bench.mjs; installed into
# bench/.scratch on first use), then neox4j (exec:exec@bench), and prints a markdown table with the ratios
# neox4j / llama.cpp. Raw JSON lines go to $OUT/compare-<timestamp>.jsonl, the table to $OUT/compare-<timestamp>.md.
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
SCRATCH="$ROOT/bench/.scratch"
LLAMA_VERSION=3.21.1
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(pythia-1.4b:Q4_0 pythia-1.4b:Q8_0 pythia-1.4b:Q4_K_M)
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
cp bench/llama-bench.mjs bench/compare-report.mjs "$SCRATCH/"

mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL="$OUT/compare-$STAMP.jsonl"
: > "$JSONL"

echo "compiling ..." >&2
$MVN test-compile >&2

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

for m in "${MODELS[@]}"; do
  shape=${m%%:*}
  type=${m#*:}
  label="$shape $type"
  echo "== $label: generating (cached) ..." >&2
  file=$(bench -Dbench.shape="$shape" -Dbench.type="$type" -Dbench.generateOnly=true | sed -n 's/^model: //p')
  [ -f "$file" ] || { echo "no model file for $label" >&2; exit 1; }
  echo "== $label: llama.cpp ($file, $THREADS threads) ..." >&2
  node "$SCRATCH/llama-bench.mjs" "$file" --threads "$THREADS" --pp "$PP" --tg "$TG" --reps "$REPS" \
    | tee /dev/stderr | tag "$label" llama.cpp >> "$JSONL"
  if [ "$STREAMS" -gt 1 ]; then
    node "$SCRATCH/llama-bench.mjs" "$file" --threads "$THREADS" --pp "$PP" --tg "$TG" --reps "$REPS" \
      --parallel "$STREAMS" | tee /dev/stderr | tag "$label" llama.cpp >> "$JSONL"
  fi
  echo "== $label: neox4j ..." >&2
  bench -Dbench.model="$file" -Dbench.streams="$STREAMS" | tee /dev/stderr | tag "$label" neox4j >> "$JSONL"
done

node "$SCRATCH/compare-report.mjs" "$JSONL" | tee "$OUT/compare-$STAMP.md"
echo "raw results: $JSONL" >&2
