// Runs llama.cpp (through node-llama-cpp) on a GGUF file the way llama-bench does:
// pp<N> = prompt processing of N tokens in one batch, tg<M> = generation of M tokens one at a time.
// Usage: node llama-bench.mjs <model.gguf> [--threads 2] [--pp 128] [--tg 32] [--reps 3] [--parallel 1]
// Prints one JSON line per test: {"test":"pp128","mean":..,"sd":..,"unit":"tok/s"}.
import {getLlama} from "node-llama-cpp";

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

// warm-up
{
  const seq = ctx.getSequence();
  await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 8));
  seq.dispose();
}

if (parallel === 1) {
  const ppRates = [], tgRates = [];
  for (let r = 0; r < reps; r++) {
    const seq = ctx.getSequence();
    let s = performance.now();
    await seq.evaluateWithoutGeneratingNewTokens(prompt);
    ppRates.push(pp / ((performance.now() - s) / 1000));
    seq.dispose();

    const seq2 = ctx.getSequence();
    await seq2.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 1));
    // like llama-bench: decode one token per call, no sampling
    s = performance.now();
    for (let i = 0; i < tg; i++) {
      await seq2.evaluateWithoutGeneratingNewTokens([prompt[(i + 1) % prompt.length]]);
    }
    tgRates.push(tg / ((performance.now() - s) / 1000));
    seq2.dispose();
  }
  console.log(JSON.stringify({test: "pp" + pp, ...stats(ppRates), unit: "tok/s", threads}));
  console.log(JSON.stringify({test: "tg" + tg, ...stats(tgRates), unit: "tok/s", threads}));
} else {
  // aggregate decode throughput of `parallel` concurrent sequences
  const rates = [];
  for (let r = 0; r < reps; r++) {
    const seqs = Array.from({length: parallel}, () => ctx.getSequence());
    await Promise.all(seqs.map((q, i) => q.evaluateWithoutGeneratingNewTokens(prompt.slice(i, i + 4))));
    const s = performance.now();
    await Promise.all(seqs.map(async q => {
      let n = 0;
      for await (const t of q.evaluate([prompt[7]], {temperature: 0})) {
        if (++n >= tg) break;
      }
    }));
    rates.push(parallel * tg / ((performance.now() - s) / 1000));
    seqs.forEach(q => q.dispose());
  }
  console.log(JSON.stringify({test: "tg" + tg + "x" + parallel, ...stats(rates), unit: "tok/s", threads}));
}
await ctx.dispose();
await model.dispose();
