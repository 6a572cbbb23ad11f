// The playground page: wires the prompt, the parameters, the stream and the three views together.

import {ApiError, StreamClient, apiKey, call, offers, setApiKey} from "./api.js";
import {readParams, renderParams, resetParams} from "./params.js";
import {TokenView} from "./tokens.js";
import {showTokens} from "./tokenizer.js";
import {NOT_AVAILABLE, drawLens, logitLens} from "./inspector.js";
import {showFigures, showModel, showModelState} from "./model.js";

const $ = (id) => document.getElementById(id);

const ui = {
  status: $("status"),
  prompt: $("prompt"),
  promptLabel: $("prompt-label"),
  promptForm: $("prompt-form"),
  system: $("system"),
  chatArea: $("chat-area"),
  chatLog: $("chat-log"),
  generate: $("generate"),
  stop: $("stop"),
  clear: $("clear"),
  output: $("output"),
  params: $("params"),
  paramsReset: $("params-reset"),
  modelCard: $("model-card"),
  figures: $("figures"),
  tokenList: $("token-list"),
  tokenCount: $("token-count"),
  lensRun: $("lens-run"),
  lensTopK: $("lens-top-k"),
  lensState: $("lens-state"),
  lensGrid: $("lens-grid"),
  lensDetail: $("lens-detail"),
  keyButton: $("key-button"),
  keyDialog: $("key-dialog"),
  keyForm: $("key-form"),
  keyInput: $("key-input"),
  keyMessage: $("key-message"),
};

const stream = new StreamClient();
const view = new TokenView(ui.output, $("token-detail"), $("tooltip"));
/** The conversation so far in chat mode: {role, content}. */
const history = [];
/** The running generation: {id, started, firstToken, done, text, chat, userMessage} or null. */
let running = null;
let nextId = 1;
let model = null;

/** Shows a state in the status line: ready, generating, loading, busy, error or auth. */
function status(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function chatMode() {
  return document.querySelector('input[name="mode"]:checked').value === "chat";
}

// ---------------------------------------------------------------------------------------------------------------
// API key: asked for once when the server answers 401, kept in sessionStorage.

let keyWaiters = [];

function askForKey(message) {
  ui.keyMessage.textContent = message || "This server requires an API key. It is kept in this tab's session "
    + "storage only.";
  ui.keyInput.value = "";
  ui.keyButton.hidden = false;
  if (!ui.keyDialog.open) {
    ui.keyDialog.showModal();
  }
  status("auth", "An API key is required.");
  return new Promise((resolve) => keyWaiters.push(resolve));
}

ui.keyForm.addEventListener("submit", () => {
  setApiKey(ui.keyInput.value.trim());
  const waiters = keyWaiters;
  keyWaiters = [];
  waiters.forEach((w) => w());
});
ui.keyDialog.addEventListener("cancel", () => {
  status("auth", "An API key is required: use the API key button.");
});
ui.keyButton.addEventListener("click", () => askForKey("Enter a different API key for this server."));

/** Calls the API; a 401 asks for a key and tries again, other errors are thrown. */
async function api(path, body) {
  for (;;) {
    try {
      return await call(path, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        await askForKey(apiKey() ? "The key was not accepted: " + e.message : null);
        continue;
      }
      throw e;
    }
  }
}

/** A human sentence for an API error, and the status state it puts the page in. */
function explain(e) {
  const code = e.code || "";
  if (code === "model_loading") {
    return ["loading", "The model is loading… the page retries by itself."];
  }
  if (code === "queue_full" || e.status === 429) {
    return ["busy", "The server is busy (queue full): try again" + (e.retryAfter ? " in " + e.retryAfter + " s."
      : " in a few seconds.")];
  }
  if (code === "shutting_down") {
    return ["error", "The server is shutting down."];
  }
  if (code === "model_load_failed") {
    return ["error", "The model failed to load: " + e.message];
  }
  if (code === "network" || code === "websocket") {
    return ["error", e.message];
  }
  return ["error", e.message || String(e)];
}

// ---------------------------------------------------------------------------------------------------------------
// Model card, retried while the model loads.

async function loadModel() {
  for (;;) {
    try {
      const list = await api("/v1/models");
      model = list.data[0];
      showModel(ui.modelCard, model);
      if (!running) {
        status("ready", "Ready: " + model.id);
      }
      return;
    } catch (e) {
      const [state, text] = explain(e);
      status(state, text);
      showModelState(ui.modelCard, state === "loading" ? "loading…" : text);
      if (e.code === "model_load_failed") {
        return;
      }
      await new Promise((r) => setTimeout(r, 1000 * Math.min(10, Math.max(1, e.retryAfter || 2))));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generation over the WebSocket.

function chatMessages(userText) {
  const messages = [];
  const system = ui.system.value.trim();
  if (system) {
    messages.push({role: "system", content: system});
  }
  messages.push(...history);
  if (userText) {
    messages.push({role: "user", content: userText});
  }
  return messages;
}

function addTurn(role, content) {
  const li = document.createElement("li");
  li.className = "turn " + role;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = role === "user" ? "You" : "Model";
  const text = document.createElement("span");
  text.className = "said";
  text.textContent = content;
  li.append(who, text);
  ui.chatLog.append(li);
  return li;
}

function setRunning(value) {
  running = value;
  ui.generate.disabled = value !== null;
  ui.stop.disabled = value === null;
  ui.output.setAttribute("aria-busy", value !== null ? "true" : "false");
}

async function generate() {
  if (running) {
    return;
  }
  const chat = chatMode();
  const text = ui.prompt.value;
  if (!chat && text.length === 0) {
    ui.prompt.focus();
    status("error", "Type a prompt first.");
    return;
  }
  if (chat && text.trim().length === 0) {
    ui.prompt.focus();
    status("error", "Type a message first.");
    return;
  }
  let params;
  try {
    params = readParams(ui.params, chat);
  } catch (e) {
    status("error", e.message);
    return;
  }
  const id = "g" + nextId++;
  const message = chat
    ? {type: "chat", id, messages: chatMessages(text.trim()), ...params}
    : {type: "completion", id, prompt: text, ...params};
  const run = {id, chat, started: performance.now(), firstToken: null, userText: text.trim(), done: null};
  setRunning(run);
  view.reset(chat ? null : text);
  if (chat) {
    addTurn("user", run.userText);
    ui.prompt.value = "";
  }
  status("generating", "Generating…");
  try {
    await stream.send(message, (m) => onStreamMessage(run, m));
  } catch (e) {
    finish(run, null, e);
  }
}

function onStreamMessage(run, m) {
  if (m.type === "token") {
    if (run.firstToken === null) {
      run.firstToken = performance.now();
    }
    view.add(m);
  } else if (m.type === "done") {
    finish(run, m, null);
  } else if (m.type === "error") {
    finish(run, null, new ApiError(0, m.error?.code || m.error?.type, m.error?.message || "error", null));
  }
}

function finish(run, done, error) {
  if (running !== run) {
    return;
  }
  stream.forget(run.id);
  setRunning(null);
  const ttft = run.firstToken === null ? null : run.firstToken - run.started;
  if (error) {
    const [state, text] = explain(error);
    status(state, text);
    view.note(" [" + text + "]", "error");
    if (run.chat) {
      // the user's turn was not answered: give it back to edit and retry
      ui.chatLog.lastElementChild?.remove();
      ui.prompt.value = run.userText;
    }
    return;
  }
  const reason = done.finish_reason;
  showFigures(ui.figures, ttft, done, reason);
  if (run.chat) {
    history.push({role: "user", content: run.userText});
    history.push({role: "assistant", content: done.text});
    addTurn("assistant", done.text);
  }
  if (reason === "cancelled") {
    view.note(" [stopped]", "stopped");
    status("ready", "Stopped after " + done.usage.completion_tokens + " tokens.");
  } else {
    status("ready", "Done (" + (reason === "length" ? "max tokens reached" : "stopped by the model or a stop "
      + "string") + ", " + done.usage.completion_tokens + " tokens).");
  }
}

function stop() {
  if (running) {
    status("generating", "Stopping…");
    stream.cancel(running.id);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tabs, tokenizer, inspector.

const tabs = [...document.querySelectorAll('[role="tab"]')];

function activeTab() {
  return tabs.find((t) => t.getAttribute("aria-selected") === "true").id;
}

function selectTab(tab, focus) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute("aria-selected", String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) {
    tab.focus();
  }
  if (tab.id === "tab-tokenizer") {
    refreshTokens();
  } else if (tab.id === "tab-inspector") {
    checkInspector();
  }
}

tabs.forEach((t, i) => {
  t.addEventListener("click", () => selectTab(t, false));
  t.addEventListener("keydown", (e) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (step !== 0) {
      e.preventDefault();
      selectTab(tabs[(i + step + tabs.length) % tabs.length], true);
    }
  });
});

/** The prompt as the tokenizer and the inspector see it: {prompt} or, in chat mode, {messages}. */
function promptBody() {
  return chatMode() ? {messages: chatMessages(ui.prompt.value.trim())} : {prompt: ui.prompt.value};
}

let tokenTimer = null;

async function refreshTokens() {
  try {
    await showTokens(promptBody(), ui.tokenList, ui.tokenCount);
  } catch (e) {
    ui.tokenCount.textContent = explain(e)[1];
    ui.tokenList.replaceChildren();
  }
}

ui.prompt.addEventListener("input", () => {
  if (activeTab() === "tab-tokenizer") {
    clearTimeout(tokenTimer);
    tokenTimer = setTimeout(refreshTokens, 250);
  }
});

let inspectorAvailable = null;

function inspectorUnavailable() {
  inspectorAvailable = false;
  ui.lensRun.disabled = true;
  ui.lensState.dataset.state = "unavailable";
  ui.lensState.textContent = "The logit lens is not available on this server (it has no POST /v1/inspect).";
  ui.lensGrid.replaceChildren();
}

async function checkInspector() {
  if (inspectorAvailable !== null) {
    return;
  }
  if (await offers("/v1/inspect")) {
    inspectorAvailable = true;
    ui.lensState.dataset.state = "idle";
    ui.lensState.textContent = "Run the lens on the prompt.";
  } else {
    inspectorUnavailable();
  }
}

async function runLens() {
  ui.lensState.dataset.state = "running";
  ui.lensState.textContent = "Running the logit lens…";
  try {
    let body = promptBody();
    if (body.messages) {
      // /v1/inspect takes a prompt: the rendered conversation's token ids
      body = {prompt: (await api("/tokenize", body)).tokens};
    }
    const topK = Math.max(1, Math.min(20, Number.parseInt(ui.lensTopK.value, 10) || 5));
    const result = await logitLensWithKey(body, topK);
    drawLens(result, ui.lensGrid, ui.lensDetail);
    ui.lensState.dataset.state = "done";
    ui.lensState.textContent = result.logit_lens.layers.length + " layers × " + result.tokens.length
      + " positions.";
  } catch (e) {
    if (e.code === NOT_AVAILABLE) {
      inspectorUnavailable();
      return;
    }
    ui.lensState.dataset.state = "error";
    ui.lensState.textContent = explain(e)[1];
  }
}

async function logitLensWithKey(body, topK) {
  for (;;) {
    try {
      return await logitLens(body, topK);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        await askForKey(null);
        continue;
      }
      throw e;
    }
  }
}

ui.lensRun.addEventListener("click", runLens);

// ---------------------------------------------------------------------------------------------------------------
// Modes, buttons, shortcuts.

function applyMode() {
  const chat = chatMode();
  ui.chatArea.hidden = !chat;
  ui.promptLabel.textContent = chat ? "Your message" : "Prompt";
  if (activeTab() === "tab-tokenizer") {
    refreshTokens();
  }
}

for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", applyMode);
}

ui.promptForm.addEventListener("submit", (e) => {
  e.preventDefault();
  generate();
});
ui.stop.addEventListener("click", stop);
ui.clear.addEventListener("click", () => {
  if (running) {
    return;
  }
  history.length = 0;
  ui.chatLog.replaceChildren();
  view.reset(null);
  ui.output.append(Object.assign(document.createElement("span"), {className: "placeholder",
    textContent: "Generated text appears here, token by token."}));
});
ui.paramsReset.addEventListener("click", () => resetParams(ui.params));

document.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    if (!ui.keyDialog.open) {
      generate();
    }
  } else if (e.key === "Escape" && running && !ui.keyDialog.open) {
    e.preventDefault();
    stop();
  }
});

renderParams(ui.params);
setRunning(null);
loadModel();
