#!/usr/bin/env python3
"""Black-box check of /tokenize, /detokenize and /tokenizer_info against the tokenizer fixture cases.

Usage: bench/acceptance/tokenizer.py <base-url> [cases.json]
The server must serve a model with the full GPT-NeoX vocabulary (the demo model or a real Pythia file).
For every case: /tokenize with parse_special false must give `ids`, with parse_special true (and by default)
`ids_parse_special` (or `ids`); /detokenize of `ids` must give `detokenized` (or `text`). Also checks the
pieces and the echoed text of /v1/completions. Python standard library only; exits 1 on any mismatch.
"""
import json, os, sys, urllib.request

base = sys.argv[1].rstrip("/")
path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../src/test/resources/fixtures/tokenizer/cases.json")
cases = json.load(open(path, encoding="utf-8"))


def post(p, body):
    req = urllib.request.Request(base + p, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


bad = 0
info = json.loads(urllib.request.urlopen(base + "/tokenizer_info", timeout=30).read())
for k, want in (("eos_token", "<|endoftext|>"), ("eos_token_id", 0), ("bos_token_id", 0)):
    if info.get(k) != want:
        print("FAIL tokenizer_info", k, info.get(k)); bad += 1
for i, c in enumerate(cases):
    text, ids = c["text"], c["ids"]
    special = c.get("ids_parse_special", ids)
    got_plain = post("/tokenize", {"prompt": text, "parse_special": False, "with_pieces": True})
    got_special = post("/tokenize", {"prompt": text, "parse_special": True})
    got_default = post("/tokenize", {"prompt": text})
    detok = post("/detokenize", {"tokens": ids})["prompt"]
    want_detok = c.get("detokenized", text)
    errs = []
    if got_plain["tokens"] != ids: errs.append(("parse_special false", got_plain["tokens"], ids))
    if got_special["tokens"] != special: errs.append(("parse_special true", got_special["tokens"], special))
    if got_default["tokens"] != special: errs.append(("default", got_default["tokens"], special))
    if got_plain["count"] != len(ids): errs.append(("count", got_plain["count"], len(ids)))
    if len(got_plain.get("pieces", [])) != len(ids): errs.append(("pieces", len(got_plain.get("pieces", [])), len(ids)))
    if detok != want_detok: errs.append(("detokenize", detok, want_detok))
    if errs:
        bad += 1
        print("FAIL case", i, repr(text)[:80], json.dumps(errs, ensure_ascii=False)[:600])
print(f"{len(cases) - bad}/{len(cases)} cases ok" if bad == 0 else f"{bad} failures over {len(cases)} cases")
sys.exit(1 if bad else 0)
