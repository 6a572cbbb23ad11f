// The tokenizer view: the prompt's token boundaries and ids from POST /tokenize (with_pieces).

import {call} from "./api.js";
import {visible} from "./tokens.js";

/** Tokenizes {@code body} ({prompt} or {messages}) and shows one chip per token: its piece and its id. */
export async function showTokens(body, list, count) {
  const result = await call("/tokenize", {...body, with_pieces: true});
  list.replaceChildren();
  const pieces = result.pieces || [];
  result.tokens.forEach((id, i) => {
    const chip = document.createElement("span");
    chip.className = "chip c" + (i % 4);
    chip.setAttribute("role", "listitem");
    const piece = document.createElement("span");
    piece.className = "piece";
    piece.textContent = visible(pieces[i] ?? "");
    const tid = document.createElement("span");
    tid.className = "tid";
    tid.textContent = String(id);
    chip.append(piece, tid);
    chip.title = "token " + i + ": id " + id;
    list.append(chip);
  });
  list.setAttribute("role", "list");
  count.textContent = result.count + (result.count === 1 ? " token" : " tokens") + " of a context of "
    + result.max_model_len;
  return result;
}
