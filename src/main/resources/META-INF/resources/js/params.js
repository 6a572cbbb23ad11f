// The sampling parameters the page offers, with the server's defaults (what a request without the field gets, see
// README "REST API"). A field left empty is not sent, so the server's default applies.

/** The server's defaults for the fields the page offers (completion requests; chat: max_tokens = rest of context). */
export const SERVER_DEFAULTS = Object.freeze({
  temperature: 1,
  top_p: 1,
  top_k: 0,
  min_p: 0,
  max_tokens: 16,
  repetition_penalty: 1,
  seed: null,
  stop: null,
});

/** The page's own starting values where they differ from the server's (a playground wants more than 16 tokens). */
const PAGE_START = Object.freeze({max_tokens: 128});

const FIELDS = [
  {name: "temperature", label: "Temperature", step: "0.05", min: 0, max: 100, help: "0 = greedy"},
  {name: "top_p", label: "Top-p", step: "0.01", min: 0, max: 1, help: "1 = off"},
  {name: "top_k", label: "Top-k", step: "1", min: 0, help: "0 = off"},
  {name: "min_p", label: "Min-p", step: "0.01", min: 0, max: 1, help: "0 = off"},
  {name: "max_tokens", label: "Max tokens", step: "1", min: 1, help: "chat: rest of context", integer: true},
  {name: "repetition_penalty", label: "Repetition penalty", step: "0.05", min: 0, max: 100, help: "1 = off"},
  {name: "seed", label: "Seed", step: "1", min: 0, help: "random", integer: true},
  {name: "top_logprobs", label: "Alternatives shown", step: "1", min: 0, max: 20, help: "per token", integer: true,
    start: 5},
];

function defaultText(field) {
  const d = SERVER_DEFAULTS[field.name];
  return d === null || d === undefined ? field.help : String(d) + " (" + field.help + ")";
}

/** Builds the parameter form. */
export function renderParams(form) {
  form.replaceChildren();
  for (const field of FIELDS) {
    const id = "param-" + field.name;
    const row = document.createElement("div");
    row.className = "param";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = field.label;
    const input = document.createElement("input");
    input.type = "number";
    input.id = id;
    input.name = field.name;
    input.step = field.step;
    if (field.min !== undefined) input.min = field.min;
    if (field.max !== undefined) input.max = field.max;
    input.inputMode = field.integer ? "numeric" : "decimal";
    const hint = document.createElement("span");
    hint.className = "hint";
    hint.id = id + "-default";
    if (field.name === "top_logprobs") {
      hint.textContent = "page setting, 0–20";
      input.placeholder = "5";
    } else {
      hint.textContent = "default " + defaultText(field);
      input.placeholder = SERVER_DEFAULTS[field.name] === null ? field.help : String(SERVER_DEFAULTS[field.name]);
    }
    input.setAttribute("aria-describedby", hint.id);
    row.append(label, input, hint);
    form.append(row);
  }
  const row = document.createElement("div");
  row.className = "param wide";
  const label = document.createElement("label");
  label.htmlFor = "param-stop";
  label.textContent = "Stop strings";
  const stop = document.createElement("textarea");
  stop.id = "param-stop";
  stop.name = "stop";
  stop.rows = 2;
  stop.placeholder = "none";
  const hint = document.createElement("span");
  hint.className = "hint";
  hint.id = "param-stop-default";
  hint.textContent = "one per line, \\n for a line break; default none";
  stop.setAttribute("aria-describedby", hint.id);
  row.append(label, stop, hint);
  form.append(row);
  resetParams(form);
}

/** Sets every field to the page's starting value. */
export function resetParams(form) {
  for (const field of FIELDS) {
    const start = field.start ?? PAGE_START[field.name];
    form.elements[field.name].value = start === undefined ? "" : String(start);
  }
  form.elements["stop"].value = "";
}

/** A stop string as typed: \\n, \\t and \\\\ stand for a line break, a tab and a backslash. */
function unescape(text) {
  return text.replace(/\\([nt\\])/g, (_, c) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
}

/**
 * The request fields set in the form, for a completion or chat request; an invalid field throws an Error naming it
 * (the browser's own range checks).
 */
export function readParams(form, chat) {
  const out = {};
  let alternatives = 5;
  for (const field of FIELDS) {
    const input = form.elements[field.name];
    const text = input.value.trim();
    if (text === "") {
      continue;
    }
    if (!input.checkValidity()) {
      input.focus();
      throw new Error(field.label + ": " + input.validationMessage);
    }
    const value = field.integer ? Number.parseInt(text, 10) : Number(text);
    if (field.name === "top_logprobs") {
      alternatives = value;
    } else {
      out[field.name] = value;
    }
  }
  const stops = form.elements["stop"].value.split("\n").filter((s) => s.length > 0).map(unescape);
  if (stops.length > 0) {
    out.stop = stops;
  }
  if (chat) {
    out.logprobs = true;
    out.top_logprobs = alternatives;
  } else {
    out.logprobs = alternatives;
  }
  return out;
}
