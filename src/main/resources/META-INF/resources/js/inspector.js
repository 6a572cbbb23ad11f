// The inspector: the logit lens of the prompt from POST /v1/inspect, drawn as a layer x position grid. Each cell is
// the best token read from the residual stream after that layer at that position, shaded by its probability;
// hovering or focusing a cell lists the top alternatives.

import {ApiError, call, offers} from "./api.js";
import {describe, shade, visible} from "./tokens.js";

/** Thrown (as an ApiError with this code) when the server has no /v1/inspect. */
export const NOT_AVAILABLE = "inspect_not_available";

/** Runs the logit lens for {@code body} ({prompt} plus any inspect fields) and resolves to the response. */
export async function logitLens(body, topK) {
  if (!(await offers("/v1/inspect"))) {
    throw new ApiError(404, NOT_AVAILABLE, "not available on this server", null);
  }
  try {
    return await call("/v1/inspect", {...body, logit_lens: {top_k: topK}});
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.code !== "model_not_found") {
      throw new ApiError(404, NOT_AVAILABLE, "not available on this server", null);
    }
    throw e;
  }
}

/** Draws the lens as a table: one row per layer (the output layer on top), one column per prompt position. */
export function drawLens(result, grid, detail) {
  const layers = [...result.logit_lens.layers].sort((a, b) => b.layer - a.layer);
  const last = layers.length > 0 ? layers[0].layer : 0;
  const table = document.createElement("table");
  table.className = "lens";
  const caption = document.createElement("caption");
  caption.textContent = "Logit lens: best next token per layer (rows) and prompt position (columns)";
  table.append(caption);
  const head = document.createElement("tr");
  const corner = document.createElement("th");
  corner.scope = "col";
  corner.textContent = "layer \\ token";
  head.append(corner);
  for (const t of result.tokens) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = visible(t.text);
    th.title = "id " + t.id;
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  const cells = [];
  for (const layer of layers) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = layer.layer === 0 ? "0 (embeddings)" : layer.layer === last ? last + " (output)"
      : String(layer.layer);
    tr.append(th);
    layer.top.forEach((top, position) => {
      const td = document.createElement("td");
      const best = top[0];
      if (best) {
        td.textContent = visible(best.token);
        td.style.background = shade(Math.exp(best.logprob));
        td.tabIndex = cells.length === 0 ? 0 : -1;
        td.dataset.layer = String(layer.layer);
        td.dataset.position = String(position);
        const token = {text: best.token, tokenId: best.id, logprob: best.logprob,
          top: top.map((a) => ({token: a.token, token_id: a.id, logprob: a.logprob}))};
        const show = () => {
          detail.replaceChildren();
          const where = document.createElement("p");
          where.textContent = "layer " + layer.layer + ", after " + JSON.stringify(result.tokens[position]?.text)
            + " (position " + position + ")";
          const body = document.createElement("div");
          describe(body, token);
          detail.append(where, body);
        };
        td.addEventListener("mouseover", show);
        td.addEventListener("focus", show);
        cells.push(td);
      }
      tr.append(td);
    });
    tbody.append(tr);
  }
  table.append(thead, tbody);
  // arrow keys move between cells (one tab stop for the whole grid)
  table.addEventListener("keydown", (e) => {
    const td = e.target.closest("td");
    if (!td) {
      return;
    }
    const row = td.parentElement;
    const col = [...row.children].indexOf(td);
    let next = null;
    if (e.key === "ArrowRight") next = td.nextElementSibling;
    if (e.key === "ArrowLeft") next = td.previousElementSibling;
    if (e.key === "ArrowUp") next = row.previousElementSibling?.children[col];
    if (e.key === "ArrowDown") next = row.nextElementSibling?.children[col];
    if (next && next.tagName === "TD" && next.tabIndex !== undefined) {
      e.preventDefault();
      td.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    }
  });
  grid.replaceChildren(table);
  return table;
}
