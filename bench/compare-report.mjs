// Reads the JSON lines bench/compare.sh collected (each tagged with "label" and "engine") and prints the
// side-by-side markdown table with the ratios neox4j / llama.cpp.
// Usage: node compare-report.mjs results.jsonl
import {readFileSync} from "node:fs";

const lines = readFileSync(process.argv[2], "utf8").split("\n").filter(l => l.startsWith("{")).map(l => JSON.parse(l));
const labels = [...new Set(lines.map(l => l.label))];
const f = (x, d = 2) => x == null || Number.isNaN(x) ? "–" : x.toFixed(d);
const ms = s => s == null ? "–" : `${f(s.mean)} ± ${f(s.sd)}`;
const ratio = (a, b) => a == null || b == null || !b ? "–" : (a / b).toFixed(2) + "×";
const mib = b => b == null || b < 0 ? null : b / 1048576;

// through the API: min / median / max over the requests, and the median's ratio
const spread = a => a == null ? "–" : `${f(a.min)} / **${f(a.median)}** / ${f(a.max)}`;

const rows = [];
rows.push("| model | test | llama.cpp | neox4j in-process | ratio | neox4j through the API (min / median / max) "
  + "| API median / llama.cpp |");
rows.push("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const label of labels) {
  const ll = lines.filter(l => l.label === label && l.engine === "llama.cpp");
  const nx = lines.find(l => l.label === label && l.engine === "neox4j" && l.bench === "neox4j");
  const lt = name => ll.find(l => l.test === name);
  const api = name => lines.find(l => l.label === label && l.engine === "neox4j-api" && l.test === name);
  const apiCols = (name, ref) => ` ${spread(api(name))} | ${ratio(api(name)?.median, ref?.mean)} |`;
  if (!nx) {
    rows.push(`| ${label} | (neox4j run missing) | | | | | |`);
    continue;
  }
  const pp = lt("pp" + nx.pp), tg = lt("tg" + nx.tg);
  const gib = (nx.fileBytes / 2 ** 30).toFixed(2);
  const load = lines.find(l => l.label === label && l.engine === "machine" && l.test === "loadavg");
  const m = `${label} (${gib} GiB, ${nx.threads} t${load ? ", load " + load.before : ""})`;
  rows.push(`| ${m} | pp${nx.pp} tok/s | ${ms(pp)} | ${ms(nx.ppRate)} | ${ratio(nx.ppRate.mean, pp?.mean)} |`
    + apiCols("pp" + nx.pp, pp));
  rows.push(`| | tg${nx.tg} tok/s | ${ms(tg)} | ${ms(nx.tgRate)} | ${ratio(nx.tgRate.mean, tg?.mean)} |`
    + apiCols("tg" + nx.tg, tg));
  if (nx.tgWeightGBps != null) {
    rows.push(`| | tg${nx.tg}: weights read per second, GB/s (machine: STREAM-like read ${f(nx.memoryReadGBps, 1)} GB/s) | | `
      + `${f(nx.tgWeightGBps, 1)} | ${(100 * nx.tgWeightGBps / nx.memoryReadGBps).toFixed(0)} % of the read | | |`);
  }
  if (api(`tg${nx.tg}-client`)) {
    rows.push(`| | tg${nx.tg} tok/s seen by the HTTP client (wall time after the first token) | | | |`
      + apiCols(`tg${nx.tg}-client`, tg));
  }
  const longApi = lines.find(l => l.label === label && l.engine === "neox4j-api" && /^pp\d+$/.test(l.test)
    && l.test !== "pp" + nx.pp);
  if (longApi) {
    rows.push(`| | ${longApi.test} tok/s (long prompt) | ${ms(lt(longApi.test))} | | |`
      + apiCols(longApi.test, lt(longApi.test)));
  }
  if (nx.streams) {
    const par = lt(`tg${nx.tg}x${nx.streams.n}`);
    rows.push(`| | tg${nx.tg} × ${nx.streams.n} streams, aggregate tok/s (neox4j: Engine) | ${ms(par)} | `
      + `${ms(nx.streams.engine)} | ${ratio(nx.streams.engine.mean, par?.mean)} |`
      + apiCols(`tg${nx.tg}x${nx.streams.n}`, par));
    rows.push(`| | tg${nx.tg} × ${nx.streams.n} streams, neox4j batched forward (no scheduler) | | `
      + `${ms(nx.streams.forward)} | ${ratio(nx.streams.forward.mean, par?.mean)} | | |`);
  }
  const ready = lt("ready");
  rows.push(`| | time to ready, s (load + first token; lower is better) | ${f(ready?.seconds)} | `
    + `${f(nx.readyMs / 1000)} | ${ratio(nx.readyMs / 1000, ready?.seconds)} |`
    + (api("server-memory")?.readySeconds != null
      ? ` ${f(api("server-memory").readySeconds)} (launch to /q/health/ready, JVM start included) | `
        + `${ratio(api("server-memory").readySeconds, ready?.fromProcessStartSeconds)} |` : " | |"));
  if (nx.jvmUptimeAtReadyMs != null) {
    rows.push(`| | … counted from process start (node / JVM) | ${f(ready?.fromProcessStartSeconds)} | `
      + `${f(nx.jvmUptimeAtReadyMs / 1000)} | ${ratio(nx.jvmUptimeAtReadyMs / 1000, ready?.fromProcessStartSeconds)} | | |`);
  }
  const mem = ll.find(l => l.test === "memory");
  const kv = mib(nx.memory.kvBytes), file = mib(nx.fileBytes);
  rows.push(`| | peak RSS, MiB (file ${f(file, 0)} + 1-seq KV ${f(kv, 0)}) | ${f(mib(mem?.VmHWM), 0)} | `
    + `${f(mib(nx.memory.vmHwmBytes), 0)} (+${f(mib(nx.memory.vmHwmBytes) - file - kv, 0)} over file + KV) | `
    + `${ratio(nx.memory.vmHwmBytes, mem?.VmHWM)} |`
    + (api("server-memory") ? ` server RSS after load ${f(mib(api("server-memory").rssAfterLoad), 0)} (all ${nx.memory.kvBytes ? "slots'" : ""} KV) | |` : " | |"));
}
console.log(rows.join("\n"));
