// Generated tokens as spans shaded by their probability, with a detail view (id, logprob, alternatives) on hover and
// on keyboard focus. The output box is one tab stop; the arrow keys move between its tokens (roving tabindex).

/** The shade of a probability p in [0, 1]: red (unlikely) through yellow to green (likely), light enough for text. */
export function shade(p) {
  const clamped = Math.max(0, Math.min(1, p));
  return "hsl(" + Math.round(clamped * 120) + " 75% 85%)";
}

/** A token's text as shown: control characters made visible, an empty piece (part of a character) as a dot. */
export function visible(text) {
  if (text === "") {
    return "\u00b7";
  }
  return text.replace(/\t/g, "\u2192\t");
}

function percent(logprob) {
  const p = Math.exp(logprob) * 100;
  return p >= 10 ? p.toFixed(0) + "%" : p >= 0.1 ? p.toFixed(1) + "%" : p.toExponential(1) + "%";
}

function quoted(text) {
  return JSON.stringify(text);
}

/** Fills {@code into} with the details of one token: text, id, logprob and its alternatives. */
export function describe(into, token) {
  into.replaceChildren();
  const head = document.createElement("p");
  head.className = "detail-head";
  const t = document.createElement("code");
  t.textContent = quoted(token.text);
  head.append(t, " id " + token.tokenId);
  if (token.logprob != null) {
    head.append(", logprob " + token.logprob.toFixed(3) + " (" + percent(token.logprob) + ")");
  }
  into.append(head);
  if (token.top && token.top.length > 0) {
    const list = document.createElement("ol");
    list.className = "alternatives";
    list.setAttribute("aria-label", "Top alternatives");
    for (const alt of token.top) {
      const li = document.createElement("li");
      if (alt.token_id === token.tokenId) {
        li.className = "chosen";
      }
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = Math.max(2, Math.round(Math.exp(alt.logprob) * 100)) + "%";
      bar.style.background = shade(Math.exp(alt.logprob));
      const code = document.createElement("code");
      code.textContent = quoted(alt.token);
      li.append(bar, code, " " + alt.token_id + " · " + alt.logprob.toFixed(3) + " · " + percent(alt.logprob));
      list.append(li);
    }
    into.append(list);
  } else if (token.logprob == null) {
    into.append("No logprobs for this token.");
  }
}

/**
 * The output of one generation: appends token spans to a container and keeps the data behind each span for the
 * detail view.
 */
export class TokenView {
  constructor(container, detail, tooltip) {
    this.container = container;
    this.detail = detail;
    this.tooltip = tooltip;
    this.tokens = [];
    this.current = -1;
    container.addEventListener("mouseover", (e) => this.hover(e));
    container.addEventListener("mouseleave", () => this.hideTooltip());
    container.addEventListener("keydown", (e) => this.key(e));
    container.addEventListener("focusin", (e) => this.focused(e));
    container.addEventListener("focusout", () => this.hideTooltip());
  }

  /** Removes all tokens; {@code intro} (a string or a node) is shown before the generated tokens. */
  reset(intro) {
    this.tokens = [];
    this.current = -1;
    this.container.replaceChildren();
    this.container.tabIndex = 0;
    if (intro) {
      const span = document.createElement("span");
      span.className = "prompt-text";
      span.textContent = intro;
      this.container.append(span);
    }
  }

  /** Appends a token message's token ({type: "token", text, token_id, logprob?, top_logprobs?}). */
  add(message) {
    const index = this.tokens.length;
    const token = {text: message.text, tokenId: message.token_id, logprob: message.logprob,
      top: message.top_logprobs};
    this.tokens.push(token);
    const span = document.createElement("span");
    span.className = "tok";
    span.dataset.index = String(index);
    span.dataset.id = String(message.token_id);
    span.tabIndex = -1;
    if (message.logprob != null) {
      span.style.background = shade(Math.exp(message.logprob));
      span.dataset.logprob = String(message.logprob);
    }
    if (message.text === "") {
      span.classList.add("partial");
    }
    span.textContent = visible(message.text);
    this.container.append(span);
    if (this.current < 0) {
      // the output box becomes a way into its tokens
      this.current = 0;
      span.tabIndex = 0;
      this.container.tabIndex = -1;
    }
    return span;
  }

  /** Adds a note at the end of the output (finish reason, error). */
  note(text, kind) {
    const span = document.createElement("span");
    span.className = "note " + (kind || "");
    span.textContent = text;
    this.container.append(span);
  }

  span(index) {
    return this.container.querySelector('.tok[data-index="' + index + '"]');
  }

  hover(e) {
    const span = e.target.closest(".tok");
    if (!span) {
      return;
    }
    this.show(span);
  }

  focused(e) {
    const span = e.target.closest(".tok");
    if (span) {
      this.moveTo(Number(span.dataset.index), false);
      this.show(span);
    }
  }

  show(span) {
    const token = this.tokens[Number(span.dataset.index)];
    if (!token) {
      return;
    }
    describe(this.detail, token);
    describe(this.tooltip, token);
    this.tooltip.hidden = false;
    const box = span.getBoundingClientRect();
    const width = Math.min(320, window.innerWidth - 16);
    const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
    this.tooltip.style.left = left + window.scrollX + "px";
    this.tooltip.style.top = box.bottom + window.scrollY + 6 + "px";
    this.tooltip.style.maxWidth = width + "px";
  }

  hideTooltip() {
    this.tooltip.hidden = true;
  }

  moveTo(index, focus) {
    if (index < 0 || index >= this.tokens.length) {
      return;
    }
    const old = this.span(this.current);
    if (old) {
      old.tabIndex = -1;
    }
    this.current = index;
    const span = this.span(index);
    span.tabIndex = 0;
    if (focus) {
      span.focus();
    }
  }

  key(e) {
    if (this.tokens.length === 0) {
      return;
    }
    const moves = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
    if (e.key in moves) {
      e.preventDefault();
      this.moveTo(Math.max(0, Math.min(this.tokens.length - 1, this.current + moves[e.key])), true);
    } else if (e.key === "Home") {
      e.preventDefault();
      this.moveTo(0, true);
    } else if (e.key === "End") {
      e.preventDefault();
      this.moveTo(this.tokens.length - 1, true);
    }
  }
}
