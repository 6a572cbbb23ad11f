// Times neox4j's running server through its REST API, the way a user sees it: POST /v1/completions with token-id
// prompts, greedy, and the `timings` of each response (llama.cpp's shape: prompt_per_second, predicted_per_second).
// Usage: node server-bench.mjs <base-url> [--pp 128] [--tg 32] [--reps 5] [--streams 4] [--long 0]
// Prints one JSON line per test with min/median/max over the repetitions (the spread is the point: a server that is
// fast on average but jittery is slow for its users) and the samples:
//   pp<N>           prompt of N tokens, max_tokens 1: timings.prompt_per_second
//   tg<M>           prompt of 1 token, M generated tokens (ignore_eos): timings.predicted_per_second
//   tg<M>x<S>       S such requests at once: sum of predicted tokens / the longest predicted_ms
//   pp<L>           (with --long L) one long prompt of L tokens, max_tokens 1
// Plus "client" figures for tg: generated tokens / (client wall time - time to first token), to show what the
// HTTP path adds beyond the engine's own timings. No dependencies beyond Node.js 18+ (global fetch).
const args = process.argv.slice(2);
const base = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf("--" + name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const pp = opt("pp", 128), tg = opt("tg", 32), reps = opt("reps", 5), streams = opt("streams", 4);
const longPrompt = opt("long", 0);

// token ids every GPT-NeoX vocabulary has (plain BPE tokens, no specials), varied so no prefix repeats
const ids = n => Array.from({length: n}, (_, i) => 300 + ((i * 7919) % 20000));

async function complete(prompt, maxTokens) {
  const t0 = performance.now();
  const r = await fetch(base + "/v1/completions", {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({prompt, max_tokens: maxTokens, temperature: 0, ignore_eos: true}),
  });
  const body = await r.json();
  const wallMs = performance.now() - t0;
  if (!r.ok || !body.timings) {
    throw new Error(`HTTP ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return {t: body.timings, wallMs};
}

const spread = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return {min: s[0], median: mid, max: s[s.length - 1], mean: xs.reduce((a, b) => a + b, 0) / xs.length};
};
const emit = (test, samples, extra = {}) =>
  console.log(JSON.stringify({test, ...spread(samples), samples, unit: "tok/s", reps: samples.length, ...extra}));

// warm-up: both paths, untimed
await complete(ids(8), 4);
await complete(ids(pp), 1);

const ppRates = [], tgRates = [], tgClient = [];
for (let r = 0; r < reps; r++) {
  // the first token differs from the warm-up's and every other rep's: no prefix reuse (rep 0 used to repeat the warm-up)
  const p = await complete(ids(pp).map((x, i) => i === 0 ? x + r + 1 : x), 1);
  ppRates.push(p.t.prompt_per_second);
  const g = await complete([1000 + r], tg);
  tgRates.push(g.t.predicted_per_second);
  const ttft = g.t.ttft_ms ?? g.t.prompt_ms;
  tgClient.push((g.t.predicted_n - 1) / ((g.wallMs - ttft) / 1000));
}
emit("pp" + pp, ppRates);
emit("tg" + tg, tgRates);
emit("tg" + tg + "-client", tgClient);

if (streams > 1) {
  const agg = [];
  for (let r = 0; r < reps; r++) {
    const rs = await Promise.all(Array.from({length: streams}, (_, s) => complete(ids(4).map(x => x + 17 * s + r), tg)));
    const n = rs.reduce((a, x) => a + x.t.predicted_n, 0);
    agg.push(n / (Math.max(...rs.map(x => x.t.predicted_ms)) / 1000));
  }
  emit(`tg${tg}x${streams}`, agg);
}
if (longPrompt > 0) {
  const rates = [];
  for (let r = 0; r < Math.max(1, Math.min(reps, 3)); r++) {
    rates.push((await complete(ids(longPrompt).map((x, i) => i === 0 ? x + 500 + r : x), 1)).t.prompt_per_second);
  }
  emit("pp" + longPrompt, rates);
}
