// The model card (GET /v1/models) and the figures of the last request (timings and usage of its done message).

function facts(dl, rows) {
  dl.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dl.append(dt, dd);
  }
}

/** 1234567 -> "1.23 M" */
export function count(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + " B";
  if (n >= 1e6) return (n / 1e6).toFixed(2) + " M";
  if (n >= 1e3) return (n / 1e3).toFixed(1) + " k";
  return String(n);
}

function ms(v) {
  return v == null ? "—" : v >= 1000 ? (v / 1000).toFixed(2) + " s" : v.toFixed(0) + " ms";
}

/** Shows a model object of /v1/models. */
export function showModel(dl, m) {
  facts(dl, [
    ["id", m.id],
    ["name", m.name || "—"],
    ["architecture", m.architecture],
    ["parameters", count(m.parameter_count)],
    ["quant type", m.quant_type],
    ["context", m.context_length + " tokens" + (m.train_context_length && m.train_context_length
      !== m.context_length ? " (trained on " + m.train_context_length + ")" : "")],
    ["layers × heads", m.layers + " × " + m.heads],
    ["embedding", String(m.embedding_length)],
    ["vocabulary", count(m.vocab_size)],
  ].concat(m.demo ? [["note", "demo model: random weights, its text is noise"]] : []));
}

/** Shows a state instead of the card (loading, failed). */
export function showModelState(dl, text) {
  facts(dl, [["state", text]]);
}

/**
 * Shows the figures of a finished request: {@code clientTtft} (ms from sending to the first token, measured by the
 * page) and the last done message's usage and timings.
 */
export function showFigures(dl, clientTtft, done, finish) {
  const t = done?.timings || {};
  const u = done?.usage || {};
  const cached = u.prompt_tokens_details?.cached_tokens;
  facts(dl, [
    ["finish", finish],
    ["time to first token", ms(t.ttft_ms ?? clientTtft) + (clientTtft != null ? " (page: " + ms(clientTtft)
      + ")" : "")],
    ["generation", t.predicted_per_second != null ? t.predicted_per_second.toFixed(1) + " tokens/s" : "—"],
    ["prompt", t.prompt_per_second != null ? t.prompt_per_second.toFixed(1) + " tokens/s" : "—"],
    ["queue wait", ms(t.queue_ms)],
    ["prompt tokens", u.prompt_tokens != null ? String(u.prompt_tokens) : "—"],
    ["cached tokens", cached != null ? String(cached) : "—"],
    ["generated tokens", u.completion_tokens != null ? String(u.completion_tokens) : "—"],
  ]);
}
