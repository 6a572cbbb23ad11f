// Prefix caching through the REST API, as a client sees it: time to first token of a request that shares the first
// <shared> of its <total> prompt tokens with the request before it, against the first (cold) request.
// Usage: node prefix-bench.mjs <base-url> [--total 1552] [--shared 1536] [--reps 3] [--max-tokens 16] [--seed 1]
//        [--only-second]
// Per repetition a fresh prefix (its first token varies) is sent twice: A = prefix + tail A (cold), then
// B = prefix + tail B (should reuse the prefix's KV). Prints one JSON line per repetition with both requests'
// timings.prompt_ms, prompt_n, cached_tokens, client time to first token (streamed, first content chunk) and a
// digest of B's tokens and logprobs, then one summary line. With --only-second only B is sent: run it against a
// fresh server (or one started with neox.prefix-cache.enabled=false) and compare the digests for bit identity.
import {createHash} from "node:crypto";

const args = process.argv.slice(2);
const base = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf("--" + name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const total = opt("total", 1552), shared = opt("shared", 1536), reps = opt("reps", 3), maxTokens = opt("max-tokens", 16);
const onlySecond = args.includes("--only-second");
const seed = opt("seed", 1); // a different seed gives prefixes no earlier run of the server has seen

const prefix = r => Array.from({length: shared}, (_, i) => 300 + ((i * 7919 + 31 * r) % 20000));
const tail = (seed) => Array.from({length: total - shared}, (_, i) => 20500 + ((i * 131 + seed) % 9000));

// streamed request: client TTFT = time to the first chunk carrying a token; the final chunk carries usage/timings
async function complete(prompt) {
  const t0 = performance.now();
  const r = await fetch(base + "/v1/completions", {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({prompt, max_tokens: maxTokens, temperature: 0, ignore_eos: true, logprobs: 1,
      stream: true, stream_options: {include_usage: true}}),
  });
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  const dec = new TextDecoder();
  let buf = "", ttft = null, usage = null, timings = null;
  const tokens = [];
  for await (const chunk of r.body) {
    buf += dec.decode(chunk, {stream: true});
    let k;
    while ((k = buf.indexOf("\n\n")) >= 0) {
      const ev = buf.slice(0, k);
      buf = buf.slice(k + 2);
      const data = ev.split("\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trim()).join("");
      if (!data || data === "[DONE]") continue;
      const j = JSON.parse(data);
      if (j.usage) usage = j.usage;
      if (j.timings) timings = j.timings;
      for (const c of j.choices ?? []) {
        const lp = c.logprobs;
        if (lp && lp.tokens && lp.tokens.length) {
          if (ttft === null) ttft = performance.now() - t0;
          lp.tokens.forEach((t, i) => tokens.push([t, lp.token_logprobs[i]]));
        }
      }
    }
  }
  const digest = createHash("sha256").update(JSON.stringify(tokens)).digest("hex").slice(0, 16);
  return {ttftMs: ttft, promptMs: timings?.prompt_ms, promptN: timings?.prompt_n,
    cached: usage?.prompt_tokens_details?.cached_tokens ?? 0, promptTokens: usage?.prompt_tokens, digest};
}

await complete(Array.from({length: 8}, (_, i) => 400 + i)); // warm-up, untimed
const ratios = [];
for (let r = 0; r < reps; r++) {
  const p = prefix(r + seed);
  const a = onlySecond ? null : await complete([...p, ...tail(1)]);
  const b = await complete([...p, ...tail(2)]);
  if (a) ratios.push(b.promptMs / a.promptMs);
  console.log(JSON.stringify({test: "prefix", rep: r, total, shared, cold: a, second: b}));
}
if (ratios.length) {
  console.log(JSON.stringify({test: "prefix-summary", secondOverColdPromptMs: ratios,
    max: Math.max(...ratios)}));
}
