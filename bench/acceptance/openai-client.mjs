#!/usr/bin/env node
// Black-box acceptance checks of a running neox4j server through the official `openai` npm client.
//
//   mkdir -p /tmp/oa && (cd /tmp/oa && npm i openai ws)
//   NODE_PATH=/tmp/oa/node_modules node bench/acceptance/openai-client.mjs http://localhost:8080 [api-key]
//
// Works against the demo model or any model (token-id prompts stay below the served vocab_size). Checks:
// models.list / retrieve; completions with text, token-id and list prompts, n > 1 (index = i*n + j), echo +
// logprobs with max_tokens 0, seeded reproducibility (alone and next to other requests), stop strings,
// logit_bias, return_tokens_as_token_ids; streaming completions and chat (the client must parse our SSE; text
// equals the non-streamed text; stream_options.include_usage); chat logprobs; errors as the client's typed
// exceptions (400, 404, context_length_exceeded); an aborted stream frees its slot (/q/metrics back to 0).
// Prints one line per check and exits 1 when any fails.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? process.cwd(), "noop.js"));
let OpenAI;
try {
  OpenAI = (await import("openai")).default;
} catch {
  OpenAI = require("openai").default ?? require("openai");
}

const base = (process.argv[2] ?? "http://localhost:8080").replace(/\/$/, "");
const apiKey = process.argv[3] ?? "unused";
const client = new OpenAI({ baseURL: base + "/v1", apiKey, maxRetries: 0, timeout: 120_000 });

let failures = 0;
const results = [];
function check(name, cond, detail = "") {
  results.push({ name, ok: !!cond });
  if (!cond) failures++;
  console.log(`${cond ? "ok  " : "FAIL"} ${name}${detail ? " — " + detail : ""}`);
}
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, `threw ${e?.constructor?.name}: ${e?.status ?? ""} ${e?.message}`);
  }
}
async function collect(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}
async function metric(name) {
  const text = await (await fetch(base + "/q/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return line ? Number(line.trim().split(/\s+/).pop()) : NaN;
}
async function waitIdle(ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const running = await metric("neox_requests_running");
    const slots = await metric("neox_kv_cache_slots_used");
    const waiting = await metric("neox_requests_waiting");
    if ((running === 0 && slots === 0 && waiting === 0) || Date.now() > end) return { running, slots, waiting };
    await new Promise((r) => setTimeout(r, 100));
  }
}

const models = await client.models.list();
const model = models.data[0];
const vocab = model.vocab_size ?? 512;
const ids = (k, off = 0) => Array.from({ length: k }, (_, i) => (off + 7 + i * 13) % Math.min(vocab, 500) + 2);

await step("models", async () => {
  check("models.list has one model", models.data.length === 1, JSON.stringify(model));
  for (const f of ["id", "architecture", "parameter_count", "quant_type", "context_length"])
    check(`model.${f} present`, model[f] !== undefined && model[f] !== null, `${f}=${model[f]}`);
  const one = await client.models.retrieve(model.id);
  check("models.retrieve(id)", one.id === model.id);
});

const greedy = { model: model.id, temperature: 0, max_tokens: 12, ignore_eos: true };

await step("completions: text prompt", async () => {
  const r = await client.completions.create({ ...greedy, prompt: "The capital of France is" });
  check("text completion shape", r.object === "text_completion" && r.choices.length === 1 && typeof r.choices[0].text === "string");
  check("usage adds up", r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens && r.usage.completion_tokens === 12,
    JSON.stringify(r.usage));
  check("finish_reason length", r.choices[0].finish_reason === "length");
});

await step("completions: token ids, lists, n", async () => {
  const a = await client.completions.create({ ...greedy, prompt: ids(5) });
  const b = await client.completions.create({ ...greedy, prompt: ids(7, 3) });
  const both = await client.completions.create({ ...greedy, prompt: [ids(5), ids(7, 3)] });
  check("token-id prompt", a.usage.prompt_tokens === 5, JSON.stringify(a.usage));
  check("list of prompts: one choice per prompt, in order",
    both.choices.length === 2 && both.choices[0].index === 0 && both.choices[1].index === 1
      && both.choices[0].text === a.choices[0].text && both.choices[1].text === b.choices[0].text);
  const texts = await client.completions.create({ ...greedy, prompt: ["Hello", "World"] });
  check("list of text prompts", texts.choices.length === 2);
  const n = await client.completions.create({ model: model.id, prompt: ["Hello", "World"], n: 3, max_tokens: 6, seed: 11, temperature: 1 });
  check("n=3 over 2 prompts gives 6 choices indexed i*n+j",
    n.choices.length === 6 && n.choices.map((c) => c.index).sort((x, y) => x - y).join() === "0,1,2,3,4,5",
    n.choices.map((c) => c.index).join());
  const again = await client.completions.create({ model: model.id, prompt: ["Hello", "World"], n: 3, max_tokens: 6, seed: 11, temperature: 1 });
  const key = (r) => r.choices.slice().sort((x, y) => x.index - y.index).map((c) => c.text);
  check("n>1 with seed reproducible", JSON.stringify(key(n)) === JSON.stringify(key(again)));
  check("n>1 samples differ (seed + j)", new Set(key(n).slice(0, 3)).size > 1, JSON.stringify(key(n)));
});

await step("echo + logprobs, max_tokens 0", async () => {
  const r = await client.completions.create({ model: model.id, prompt: ids(6), max_tokens: 0, echo: true, logprobs: 3,
    return_tokens_as_token_ids: true });
  const lp = r.choices[0].logprobs;
  check("echo: 6 tokens, first logprob null", lp.tokens.length === 6 && lp.token_logprobs[0] === null
    && lp.token_logprobs.slice(1).every((x) => typeof x === "number" && x <= 0), JSON.stringify(lp.token_logprobs));
  check("return_tokens_as_token_ids", lp.tokens.every((t, i) => t === `token_id:${ids(6)[i]}`), lp.tokens.join(","));
  check("top_logprobs has <= 4 entries incl. chosen",
    lp.top_logprobs.slice(1).every((m, i) => Object.keys(m).length >= 3 && Object.keys(m).length <= 4
      && m[lp.tokens[i + 1]] === lp.token_logprobs[i + 1]));
  check("usage: completion_tokens 0", r.usage.completion_tokens === 0);
  // the same logprobs with generation afterwards, and the generated token's logprob equals the top-1 of greedy
  const g = await client.completions.create({ model: model.id, prompt: ids(6), max_tokens: 2, echo: true, logprobs: 1, temperature: 0 });
  const glp = g.choices[0].logprobs;
  check("echo with generation: prompt logprobs identical", JSON.stringify(glp.token_logprobs.slice(0, 6)) === JSON.stringify(lp.token_logprobs));
  const top = Math.max(...Object.values(glp.top_logprobs[6]));
  check("greedy token is the top-1 logprob", Math.abs(glp.token_logprobs[6] - top) < 1e-6);
});

await step("seed reproducibility", async () => {
  const req = { model: model.id, prompt: "Once upon a time", max_tokens: 16, temperature: 0.9, top_p: 0.95, seed: 1234 };
  const a = await client.completions.create(req);
  const others = Array.from({ length: 5 }, (_, i) => client.completions.create({ ...req, seed: 77 + i, max_tokens: 24 }));
  const [b] = await Promise.all([client.completions.create(req), ...others]);
  check("same seed → same text, alone and batched", a.choices[0].text === b.choices[0].text, JSON.stringify([a.choices[0].text, b.choices[0].text]));
  const c = await client.completions.create({ ...req, seed: 4321 });
  check("different seed → different text", c.choices[0].text !== a.choices[0].text);
});

await step("stop strings", async () => {
  const base1 = await client.completions.create({ ...greedy, prompt: "Once upon a time", max_tokens: 24, logprobs: 0 });
  const toks = base1.choices[0].logprobs.tokens;
  const text = base1.choices[0].text;
  // a stop string spanning the boundary between tokens 3 and 4 (the end of token 3 + the start of token 4)
  const start = toks.slice(0, 3).join("").length;
  const t3 = toks[3], t4 = toks[4];
  const stop = (t3.slice(-2) + t4.slice(0, 2)) || t4;
  const cut = text.indexOf(stop);
  const r = await client.completions.create({ ...greedy, prompt: "Once upon a time", max_tokens: 24, stop: [stop, "zzzzzzzzq"] });
  check("stop: text ends before the stop string, finish_reason stop",
    r.choices[0].text === text.slice(0, cut) && r.choices[0].finish_reason === "stop",
    JSON.stringify({ stop, got: r.choices[0].text, want: text.slice(0, cut), start }));
  const s = await collect(await client.completions.create({ ...greedy, prompt: "Once upon a time", max_tokens: 24, stop, stream: true }));
  const streamed = s.map((c) => c.choices[0]?.text ?? "").join("");
  check("stop while streaming: same text, stop string never sent", streamed === text.slice(0, cut), JSON.stringify(streamed));
});

await step("logit_bias", async () => {
  const target = ids(1, 40)[0];
  const r = await client.completions.create({ ...greedy, prompt: "Hello", max_tokens: 4, logit_bias: { [target]: 100 }, logprobs: 0,
    return_tokens_as_token_ids: true });
  check("logit_bias +100 forces the token", r.choices[0].logprobs.tokens.every((t) => t === `token_id:${target}`), r.choices[0].logprobs.tokens.join());
  const plain = await client.completions.create({ ...greedy, prompt: "Hello", max_tokens: 1, logprobs: 0, return_tokens_as_token_ids: true });
  const first = Number(plain.choices[0].logprobs.tokens[0].split(":")[1]);
  const banned = await client.completions.create({ ...greedy, prompt: "Hello", max_tokens: 1, logprobs: 0, return_tokens_as_token_ids: true,
    logit_bias: { [first]: -100 } });
  check("logit_bias -100 bans the greedy token", banned.choices[0].logprobs.tokens[0] !== `token_id:${first}`);
});

await step("streaming completions", async () => {
  const plain = await client.completions.create({ ...greedy, prompt: "Once upon a time", max_tokens: 10 });
  const chunks = await collect(await client.completions.create({ ...greedy, prompt: "Once upon a time", max_tokens: 10, stream: true,
    stream_options: { include_usage: true } }));
  const text = chunks.filter((c) => c.choices.length).map((c) => c.choices[0].text).join("");
  check("streamed text equals non-streamed text", text === plain.choices[0].text, JSON.stringify([text, plain.choices[0].text]));
  const last = chunks[chunks.length - 1];
  check("include_usage: last chunk has usage and no choices", last.choices.length === 0 && last.usage?.completion_tokens === 10, JSON.stringify(last));
  const fin = chunks.filter((c) => c.choices.length && c.choices[0].finish_reason);
  check("one finish_reason chunk", fin.length === 1 && fin[0].choices[0].finish_reason === "length");
  const noUsage = await collect(await client.completions.create({ ...greedy, prompt: "Hi", max_tokens: 3, stream: true }));
  check("without include_usage no usage chunk", noUsage.every((c) => c.choices.length > 0 && !c.usage));
});

await step("chat", async () => {
  const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi!" }];
  const r = await client.chat.completions.create({ model: model.id, messages, max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 2 });
  check("chat.completion shape", r.object === "chat.completion" && r.choices[0].message.role === "assistant"
    && typeof r.choices[0].message.content === "string");
  const lc = r.choices[0].logprobs?.content ?? [];
  check("chat logprobs content", lc.length === r.usage.completion_tokens && lc.every((e) => e.top_logprobs.length === 2 && Array.isArray(e.bytes)),
    `${lc.length} vs ${r.usage.completion_tokens}`);
  const chunks = await collect(await client.chat.completions.create({ model: model.id, messages, max_tokens: 8, temperature: 0, stream: true,
    stream_options: { include_usage: true } }));
  const text = chunks.filter((c) => c.choices.length).map((c) => c.choices[0].delta.content ?? "").join("");
  check("chat stream text equals non-streamed", text === r.choices[0].message.content, JSON.stringify([text, r.choices[0].message.content]));
  check("chat stream starts with the assistant role", chunks[0].choices[0].delta.role === "assistant");
  const last = chunks[chunks.length - 1];
  check("chat include_usage", last.choices.length === 0 && last.usage?.total_tokens === r.usage.total_tokens, JSON.stringify(last.usage));
  // the openai client's streaming helper accumulates the message itself
  const runner = client.chat.completions.stream({ model: model.id, messages, max_tokens: 8, temperature: 0 });
  const final = await runner.finalChatCompletion();
  check("chat.completions.stream() helper", final.choices[0].message.content === r.choices[0].message.content);
  const n2 = await client.chat.completions.create({ model: model.id, messages, max_completion_tokens: 4, n: 2, seed: 3 });
  check("chat n=2", n2.choices.length === 2 && n2.choices[1].index === 1);
});

await step("errors", async () => {
  const expect = async (name, p, status, code) => {
    try {
      await p();
      check(name, false, "no error");
    } catch (e) {
      check(name, e instanceof OpenAI.APIError && e.status === status && (code === undefined || e.code === code)
        && typeof e.error?.message === "string", `${e.status} ${e.code} ${e.message}`);
    }
  };
  await expect("unknown model → 404", () => client.completions.create({ model: "gpt-4", prompt: "x" }), 404, "model_not_found");
  await expect("logprobs 21 → 400", () => client.completions.create({ model: model.id, prompt: "x", logprobs: 21 }), 400);
  await expect("n 0 → 400", () => client.completions.create({ model: model.id, prompt: "x", n: 0 }), 400);
  await expect("out-of-range token id → 400", () => client.completions.create({ model: model.id, prompt: [vocab + 5] }), 400);
  await expect("negative token id → 400", () => client.completions.create({ model: model.id, prompt: [1, -1] }), 400);
  await expect("prompt over the context → 400 context_length_exceeded",
    () => client.completions.create({ model: model.id, prompt: Array(model.context_length + 1).fill(5) }), 400, "context_length_exceeded");
  await expect("streamed request errors before the stream → 400",
    () => client.completions.create({ model: model.id, prompt: "x", temperature: -1, stream: true }), 400);
  await expect("chat tools → 400", () => client.chat.completions.create({ model: model.id, messages: [{ role: "user", content: "x" }],
    tools: [{ type: "function", function: { name: "f", parameters: {} } }] }), 400);
  await expect("chat unknown model → 404", () => client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] }),
    404, "model_not_found");
});

await step("aborted streams free their slots", async () => {
  const aborts = Array.from({ length: 6 }, async (_, i) => {
    const ac = new AbortController();
    const s = await client.completions.create({ model: model.id, prompt: "Once", max_tokens: 5000, stream: true, ignore_eos: true },
      { signal: ac.signal });
    let k = 0;
    try {
      for await (const c of s) if (++k >= 3 + i) ac.abort();
    } catch { /* AbortError */ }
  });
  await Promise.all(aborts);
  const idle = await waitIdle();
  check("after aborts: running, slots and waiting return to 0", idle.running === 0 && idle.slots === 0 && idle.waiting === 0, JSON.stringify(idle));
  const r = await client.completions.create({ ...greedy, prompt: "Still alive?", max_tokens: 3 });
  check("new request works after aborts", r.choices[0].text.length >= 0 && r.usage.completion_tokens === 3);
});

console.log(`\n${results.length - failures}/${results.length} checks passed`);
process.exit(failures ? 1 : 0);
