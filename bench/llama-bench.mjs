// Runs llama.cpp (through node-llama-cpp) on a GGUF file the way llama-bench does:
// pp<N> = prompt processing of N tokens in one batch, tg<M> = generation of M tokens one at a time.
// Usage: node llama-bench.mjs <model.gguf> [--threads 2] [--pp 128] [--tg 32] [--reps 3] [--parallel 1]
// Prints one JSON line per test: {"test":"pp128","mean":..,"sd":..,"unit":"tok/s"}, plus "load" (load model +
// create context), "ready" (load + the first one-token evaluation, which is when llama.cpp has repacked the
// weights it repacks) and "memory" (VmRSS/VmHWM of this process).
// Needs node-llama-cpp 3.21.1 next to it (bench/compare.sh installs it into bench/.scratch and runs a copy there).
import {getLlama} from "node-llama-cpp";
import {readFileSync} from "node:fs";

const args = process.argv.slice(2);
const model_path = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf("--" + name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const threads = opt("threads", 2), pp = opt("pp", 128), tg = opt("tg", 32), reps = opt("reps", 3);
const parallel = opt("parallel", 1);

const stats = xs => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(1, xs.length - 1));
  return {mean: m, sd};
};

const t0 = performance.now();
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath: model_path, useMmap: true});
const ctx = await model.createContext({contextSize: Math.max(512, pp + tg + 8), sequences: parallel,
  threads, batchSize: Math.max(pp, 512)});
const loadSeconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({test: "load", seconds: loadSeconds}));

const vocab = model.tokenize("The quick brown fox jumps over the lazy dog. ").filter(t => t > 1);
const prompt = Array.from({length: pp}, (_, i) => vocab[i % vocab.length]);

// Sequences are created once and reused (clearHistory between runs): disposing and re-acquiring them can
// fail with "No sequences left" while a broken-off evaluation is still winding down.
const seqs = Array.from({length: parallel}, () => ctx.getSequence());

// time to ready: load + one evaluated token (performance.now() counts from process start)
await seqs[0].evaluateWithoutGeneratingNewTokens(prompt.slice(0, 1));
console.log(JSON.stringify({test: "ready", seconds: (performance.now() - t0) / 1000,
  fromProcessStartSeconds: performance.now() / 1000}));

const procStatus = () => {
  const m = {};
  for (const line of readFileSync("/proc/self/status", "utf8").split("\n")) {
    const r = /^(VmRSS|VmHWM|RssAnon|RssFile):\s+(\d+) kB/.exec(line);
    if (r) m[r[1]] = Number(r[2]) * 1024;
  }
  return m;
};

// warm-up
await seqs[0].clearHistory();
await seqs[0].evaluateWithoutGeneratingNewTokens(prompt.slice(0, 8));

if (parallel === 1) {
  const seq = seqs[0];
  const ppRates = [], tgRates = [];
  for (let r = 0; r < reps; r++) {
    await seq.clearHistory();
    let s = performance.now();
    await seq.evaluateWithoutGeneratingNewTokens(prompt);
    ppRates.push(pp / ((performance.now() - s) / 1000));

    await seq.clearHistory();
    await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 1));
    // like llama-bench: decode one token per call, no sampling
    s = performance.now();
    for (let i = 0; i < tg; i++) {
      await seq.evaluateWithoutGeneratingNewTokens([prompt[(i + 1) % prompt.length]]);
    }
    tgRates.push(tg / ((performance.now() - s) / 1000));
  }
  console.log(JSON.stringify({test: "pp" + pp, ...stats(ppRates), samples: ppRates, unit: "tok/s", threads}));
  console.log(JSON.stringify({test: "tg" + tg, ...stats(tgRates), samples: tgRates, unit: "tok/s", threads}));
} else {
  // aggregate decode throughput of `parallel` concurrent sequences (node-llama-cpp batches their evaluations
  // into one llama_decode per step); greedy sampling, tg tokens per sequence after a 4-token prompt
  const rates = [];
  for (let r = 0; r < reps; r++) {
    await Promise.all(seqs.map(q => q.clearHistory()));
    await Promise.all(seqs.map((q, i) => q.evaluateWithoutGeneratingNewTokens(prompt.slice(i, i + 4))));
    const s = performance.now();
    await Promise.all(seqs.map(async q => {
      let n = 0;
      for await (const t of q.evaluate([prompt[7]], {temperature: 0})) {
        if (++n >= tg) break;
      }
    }));
    rates.push(parallel * tg / ((performance.now() - s) / 1000));
  }
  console.log(JSON.stringify({test: "tg" + tg + "x" + parallel, ...stats(rates), samples: rates, unit: "tok/s",
    threads}));
}
console.log(JSON.stringify({test: "memory", ...procStatus()}));
await ctx.dispose();
await model.dispose();
