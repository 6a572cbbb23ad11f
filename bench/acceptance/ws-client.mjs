#!/usr/bin/env node
// Black-box checks of the WebSocket protocol at /v1/stream (README "WebSocket protocol") with the `ws` package.
//
//   NODE_PATH=/tmp/oa/node_modules node bench/acceptance/ws-client.mjs http://localhost:8080 [api-key]
//
// Checks: one completion streams token messages then one done whose text is the tokens' text and equals the REST
// completion; several requests interleaved on one connection, each tagged with its id; n=2 ends after two done
// messages; chat; logprobs fields; cancel by id (done with finish_reason cancelled, the other request continues);
// cancel without id stops all; bad JSON and bad fields give error messages and the connection stays usable;
// closing the connection frees the slots (/q/metrics back to 0). Exits 1 when any check fails.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? process.cwd(), "noop.js"));
const WebSocket = require("ws");

const base = (process.argv[2] ?? "http://localhost:8080").replace(/\/$/, "");
const apiKey = process.argv[3];
const headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
let failures = 0, total = 0;
function check(name, cond, detail = "") {
  total++;
  if (!cond) failures++;
  console.log(`${cond ? "ok  " : "FAIL"} ${name}${detail ? " — " + detail : ""}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function metric(name) {
  const text = await (await fetch(base + "/q/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return line ? Number(line.trim().split(/\s+/).pop()) : NaN;
}
async function waitIdle(ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = { running: await metric("neox_requests_running"), slots: await metric("neox_kv_cache_slots_used"),
      waiting: await metric("neox_requests_waiting") };
    if ((s.running === 0 && s.slots === 0 && s.waiting === 0) || Date.now() > end) return s;
    await sleep(100);
  }
}

/** A connection that records every message and lets the test wait for a condition on them. */
async function connect() {
  const ws = new WebSocket(base.replace(/^http/, "ws") + "/v1/stream", { headers });
  const msgs = [];
  const waiters = [];
  ws.on("message", (d) => {
    msgs.push(JSON.parse(d.toString()));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((res, rej) => { ws.once("open", res); ws.once("error", rej); });
  const until = async (pred, ms = 60000) => {
    const end = Date.now() + ms;
    while (!pred(msgs)) {
      if (Date.now() > end) throw new Error("timeout waiting; got " + JSON.stringify(msgs.slice(-3)));
      await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
    }
  };
  return { ws, msgs, until, send: (o) => ws.send(typeof o === "string" ? o : JSON.stringify(o)) };
}
const of = (msgs, id, type) => msgs.filter((m) => m.id === id && (!type || m.type === type));

try {
  const rest = await (await fetch(base + "/v1/completions", { method: "POST", headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ prompt: "Once upon a time", max_tokens: 8, temperature: 0 }) })).json();

  const c = await connect();
  c.send({ type: "completion", id: "a", prompt: "Once upon a time", max_tokens: 8, temperature: 0, logprobs: 2 });
  await c.until((m) => of(m, "a", "done").length === 1);
  const toks = of(c.msgs, "a", "token");
  const done = of(c.msgs, "a", "done")[0];
  check("8 token messages then done", toks.length === 8 && done.finish_reason === "length", `${toks.length} ${done.finish_reason}`);
  check("done.text = concatenated token texts = REST text", done.text === toks.map((t) => t.text).join("") && done.text === rest.choices[0].text,
    JSON.stringify([done.text, rest.choices[0].text]));
  check("token messages carry token_id, logprob and 2 top_logprobs",
    toks.every((t) => Number.isInteger(t.token_id) && typeof t.logprob === "number" && t.top_logprobs?.length === 2 && t.index === 0));
  check("done has usage and timings", done.usage?.completion_tokens === 8 && typeof done.timings?.predicted_n === "number", JSON.stringify(done.usage));

  // several requests interleaved on one connection, n=2, chat
  c.msgs.length = 0;
  c.send({ type: "completion", id: "x", prompt: "Hello", max_tokens: 20, temperature: 0 });
  c.send({ type: "completion", id: "y", prompt: ["Hello", "World"], max_tokens: 5, n: 2, seed: 5 });
  c.send({ type: "chat", id: "z", messages: [{ role: "user", content: "Hi" }], max_tokens: 6, temperature: 0 });
  await c.until((m) => of(m, "x", "done").length === 1 && of(m, "y", "done").length === 4 && of(m, "z", "done").length === 1);
  check("interleaved ids: x 20 tokens", of(c.msgs, "x", "token").length === 20);
  check("prompt list with n=2: 4 done messages, indices 0..3",
    of(c.msgs, "y", "done").map((d) => d.index).sort().join() === "0,1,2,3", of(c.msgs, "y", "done").map((d) => d.index).join());
  check("chat over ws", of(c.msgs, "z", "done")[0].usage?.completion_tokens <= 6);
  const first = c.msgs.findIndex((m) => m.id === "x" && m.type === "done");
  check("requests ran concurrently (y/z tokens before x done)", c.msgs.slice(0, first).some((m) => m.id === "y" || m.id === "z"));

  // cancel by id: the other request continues
  c.msgs.length = 0;
  c.send({ type: "completion", id: "long", prompt: "Once", max_tokens: 3000, ignore_eos: true });
  c.send({ type: "completion", id: "short", prompt: "Once", max_tokens: 30, temperature: 0 });
  await c.until((m) => of(m, "long", "token").length >= 3);
  c.send({ type: "cancel", id: "long" });
  await c.until((m) => of(m, "long", "done").length === 1 && of(m, "short", "done").length === 1);
  check("cancel by id → done cancelled", of(c.msgs, "long", "done")[0].finish_reason === "cancelled", JSON.stringify(of(c.msgs, "long", "done")[0]));
  check("the other request finished normally", of(c.msgs, "short", "done")[0].finish_reason === "length"
    && of(c.msgs, "short", "token").length === 30);
  const nAfter = c.msgs.length;
  await sleep(300);
  check("no token for the cancelled id after its done", !c.msgs.slice(nAfter).some((m) => m.id === "long"));

  // cancel all
  c.msgs.length = 0;
  c.send({ type: "completion", id: "p", prompt: "One", max_tokens: 3000, ignore_eos: true });
  c.send({ type: "completion", id: "q", prompt: "Two", max_tokens: 3000, ignore_eos: true });
  await c.until((m) => of(m, "p", "token").length >= 2 && of(m, "q", "token").length >= 2);
  c.send({ type: "cancel" });
  await c.until((m) => of(m, "p", "done").length === 1 && of(m, "q", "done").length === 1);
  check("cancel without id stops all", of(c.msgs, "p", "done")[0].finish_reason === "cancelled" && of(c.msgs, "q", "done")[0].finish_reason === "cancelled");

  // errors keep the connection usable
  c.msgs.length = 0;
  c.send("not json");
  await c.until((m) => m.length >= 1);
  check("bad JSON → error with id null", c.msgs[0].type === "error" && c.msgs[0].id === null && c.msgs[0].error?.type === "invalid_request_error",
    JSON.stringify(c.msgs[0]));
  c.send({ type: "completion", id: "bad", prompt: "x", temperature: "hot" });
  c.send({ type: "completion", id: "bad2", prompt: "x", model: "gpt-4" });
  c.send({ type: "completion", id: "bad3", prompt: "x", logprobs: 21 });
  c.send({ type: "teleport", id: "bad4" });
  c.send({ type: "cancel", id: "nobody" });
  await c.until((m) => ["bad", "bad2", "bad3", "bad4", "nobody"].every((id) => of(m, id, "error").length === 1));
  check("wrong type → 400 error", of(c.msgs, "bad", "error")[0].error.param === "temperature");
  check("unknown model → model_not_found", of(c.msgs, "bad2", "error")[0].error.code === "model_not_found");
  check("logprobs 21 → error", of(c.msgs, "bad3", "error")[0].error.param === "logprobs");
  check("unknown type → error", of(c.msgs, "bad4", "error")[0].error.type === "invalid_request_error");
  c.send({ type: "completion", id: "ok", prompt: "x", max_tokens: 2 });
  await c.until((m) => of(m, "ok", "done").length === 1);
  check("connection usable after errors", true);

  // duplicate id while running
  c.msgs.length = 0;
  c.send({ type: "completion", id: "dup", prompt: "x", max_tokens: 200, ignore_eos: true });
  c.send({ type: "completion", id: "dup", prompt: "x", max_tokens: 2 });
  await c.until((m) => of(m, "dup", "error").length === 1 || of(m, "dup", "done").length >= 2);
  check("duplicate running id refused", of(c.msgs, "dup", "error").length === 1, JSON.stringify(of(c.msgs, "dup").filter((m) => m.type !== "token")));
  c.send({ type: "cancel", id: "dup" });
  await c.until((m) => of(m, "dup", "done").length >= 1);

  // closing the connection cancels its requests
  c.send({ type: "completion", id: "bye", prompt: "x", max_tokens: 3000, ignore_eos: true });
  await c.until((m) => of(m, "bye", "token").length >= 2);
  c.ws.close();
  const idle = await waitIdle();
  check("close cancels: running, slots and waiting back to 0", idle.running === 0 && idle.slots === 0 && idle.waiting === 0, JSON.stringify(idle));

  // many connections closed abruptly (terminate = no close frame)
  const conns = await Promise.all(Array.from({ length: 8 }, () => connect()));
  conns.forEach((k, i) => k.send({ type: "completion", id: "t" + i, prompt: "x", max_tokens: 3000, ignore_eos: true }));
  // (more connections than slots: some are still queued when they go away)
  await Promise.any(conns.map((k, i) => k.until((m) => of(m, "t" + i, "token").length >= 3)));
  conns.forEach((k) => k.ws.terminate());
  const idle2 = await waitIdle();
  check("terminated connections free their slots", idle2.running === 0 && idle2.slots === 0 && idle2.waiting === 0, JSON.stringify(idle2));
} catch (e) {
  check("ws run", false, e.stack);
}
console.log(`\n${total - failures}/${total} checks passed`);
process.exit(failures ? 1 : 0);
