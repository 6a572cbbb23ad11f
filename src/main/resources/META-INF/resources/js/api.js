// The server's API as the page uses it: JSON over fetch (with the API key when one is set) and the WebSocket
// stream /v1/stream. Errors keep OpenAI's shape {status, code, message, retryAfter}.

const KEY_STORAGE = "neox4j.apiKey";

/** An API error: HTTP status, OpenAI error code and message, seconds to wait (Retry-After) when given. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

export function setApiKey(key) {
  if (key) {
    sessionStorage.setItem(KEY_STORAGE, key);
  } else {
    sessionStorage.removeItem(KEY_STORAGE);
  }
}

function headers(json) {
  const h = {};
  if (json) {
    h["Content-Type"] = "application/json";
  }
  const key = apiKey();
  if (key) {
    h["Authorization"] = "Bearer " + key;
  }
  return h;
}

async function errorOf(response) {
  let code = "http_" + response.status;
  let message = response.status + " " + response.statusText;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || body.error.type || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  return new ApiError(response.status, code, message, Number.isFinite(retry) ? retry : null);
}

/** GET (no body) or POST (body) a JSON endpoint; resolves to the parsed JSON, rejects with an ApiError. */
export async function call(path, body) {
  let response;
  try {
    response = await fetch(path, body === undefined
      ? {headers: headers(false)}
      : {method: "POST", headers: headers(true), body: JSON.stringify(body)});
  } catch (e) {
    throw new ApiError(0, "network", "The server cannot be reached (" + e.message + ").", 2);
  }
  if (!response.ok) {
    throw await errorOf(response);
  }
  return response.json();
}

let openApiPaths = null;

/**
 * Whether the server offers an endpoint, from its OpenAPI document (open even with API keys). Asking the document
 * first keeps an absent optional endpoint (such as /v1/inspect on an older server) from showing up as a failed
 * request.
 */
export async function offers(path) {
  if (openApiPaths === null) {
    try {
      const doc = await call("/q/openapi?format=json");
      openApiPaths = Object.keys(doc.paths || {});
    } catch {
      return true; // no document: ask the endpoint itself
    }
  }
  return openApiPaths.includes(path);
}

/**
 * One WebSocket connection to /v1/stream, opened when first needed and again after it closes. Requests are tagged
 * with an id; each request's messages go to the handler given to send().
 */
export class StreamClient {
  constructor() {
    this.socket = null;
    this.opening = null;
    this.handlers = new Map();
    this.key = null;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + location.host + "/v1/stream";
  }

  /**
   * The subprotocols offered: neox4j, and with a key neox4j.api-key.<base64url of the key>. Browsers cannot set an
   * Authorization header on a WebSocket; a subprotocol is a header, so the key stays out of the URL.
   */
  protocols() {
    const key = apiKey();
    if (!key) {
      return ["neox4j"];
    }
    const bytes = new TextEncoder().encode(key);
    let binary = "";
    for (const b of bytes) {
      binary += String.fromCharCode(b);
    }
    const encoded = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return ["neox4j", "neox4j.api-key." + encoded];
  }

  connect() {
    const key = apiKey();
    if (this.socket && this.socket.readyState === WebSocket.OPEN && this.key === key) {
      return Promise.resolve(this.socket);
    }
    if (this.opening && this.key === key) {
      return this.opening;
    }
    if (this.socket) {
      // the key changed: the old connection goes quietly, its requests were already finished
      const old = this.socket;
      this.socket = null;
      old.onclose = null;
      old.close();
    }
    this.key = key;
    this.opening = new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url(), this.protocols());
      socket.onopen = () => {
        this.socket = socket;
        this.opening = null;
        resolve(socket);
      };
      socket.onmessage = (e) => this.dispatch(JSON.parse(e.data));
      socket.onclose = () => {
        if (this.socket !== socket) {
          this.opening = null;
          reject(new ApiError(0, "websocket", "The stream connection could not be opened.", 2));
          return;
        }
        this.socket = null;
        for (const handler of this.handlers.values()) {
          handler({type: "error", error: {code: "websocket", message: "The stream connection closed."}});
        }
        this.handlers.clear();
      };
    });
    return this.opening;
  }

  dispatch(message) {
    const handler = this.handlers.get(message.id == null ? null : String(message.id));
    if (handler) {
      handler(message);
    } else if (message.id == null && message.type === "error") {
      for (const h of this.handlers.values()) {
        h(message);
      }
    }
  }

  /** Sends a request message; handler gets its token/done/error messages until forget(id). */
  async send(message, handler) {
    const socket = await this.connect();
    this.handlers.set(String(message.id), handler);
    socket.send(JSON.stringify(message));
  }

  forget(id) {
    this.handlers.delete(String(id));
  }

  cancel(id) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({type: "cancel", id: String(id)}));
    }
  }
}
