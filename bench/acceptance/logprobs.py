#!/usr/bin/env python3
"""Black-box check of prompt logprobs and greedy continuations against the llama.cpp goldens.

Usage: bench/acceptance/logprobs.py <base-url> <TYPE> [fixtures/models dir]
The server must be serving tiny-gptneox-d256-<TYPE>.gguf. Sends each golden sequence (seq8, seq64, seq300) as a
token-id prompt with echo, max_tokens 32, temperature 0, ignore_eos, logprobs 20 and return_tokens_as_token_ids,
then compares every returned logprob (the chosen token and the 20 alternatives) with the log-softmax of the
llama.cpp logits (<seq>.logits.f32 for the prompt, <seq>.greedy.logits.f32 for the generated tokens) and of the
float64 reference (<seq>.ref.logits.f32). Prints one JSON line per sequence and exits 1 when the greedy tokens
differ from the golden's where the golden's top-2 gap exceeds twice the observed max |delta| or a bound is missed.
Python standard library only.
"""
import json, math, os, struct, sys, urllib.request

BOUND = {"F32": 0.05, "F16": 0.05, "BF16": 0.3}   # vs llama.cpp; quantized types: 1.5 (fixtures README)


def read_rows(path, cols):
    data = open(path, "rb").read()
    n = len(data) // 4
    vals = struct.unpack("<%df" % n, data)
    return [vals[i:i + cols] for i in range(0, n, cols)]


def log_softmax(row):
    m = max(row)
    s = sum(math.exp(x - m) for x in row)
    ls = m + math.log(s)
    return [x - ls for x in row]


def post(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def tid(tok):
    assert tok.startswith("token_id:"), tok
    return int(tok[len("token_id:"):])


def main():
    base, typ = sys.argv[1].rstrip("/"), sys.argv[2]
    d = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "../../src/test/resources/fixtures/models")
    man = json.load(open(os.path.join(d, "manifest.json")))
    vocab = man["hparams"].get("n_vocab", 512)
    ok = True
    for seq in ("seq8", "seq64", "seq300"):
        toks = man["sequences"][seq]["tokens"]
        g = man["models"][typ]["goldens"][seq]
        llama = [log_softmax(r) for r in read_rows(os.path.join(d, g["logits_file"]), vocab)]
        ref = [log_softmax(r) for r in read_rows(os.path.join(d, g["ref_logits_file"]), vocab)]
        greedy_rows = [log_softmax(r) for r in read_rows(os.path.join(d, g["greedy_logits_file"]), vocab)]
        raw_greedy = read_rows(os.path.join(d, g["greedy_logits_file"]), vocab)
        resp = post(base, "/v1/completions", {"prompt": toks, "max_tokens": 32, "temperature": 0, "echo": True,
                                             "logprobs": 20, "ignore_eos": True, "return_tokens_as_token_ids": True})
        lp = resp["choices"][0]["logprobs"]
        ids = [tid(t) for t in lp["tokens"]]
        assert ids[:len(toks)] == toks, "echoed prompt ids differ"
        gen = ids[len(toks):]
        dl, dr = 0.0, 0.0      # prompt: vs llama.cpp, vs reference
        for i in range(1, len(toks)):
            want_l, want_r = llama[i - 1], ref[i - 1]
            got = {ids[i]: lp["token_logprobs"][i]}
            got.update({tid(k): v for k, v in lp["top_logprobs"][i].items()})
            for t, v in got.items():
                dl = max(dl, abs(v - want_l[t]))
                dr = max(dr, abs(v - want_r[t]))
        # generated tokens: compare while they follow the golden's greedy path
        dg, match = 0.0, 0
        for s, t in enumerate(gen):
            j = len(toks) + s
            got = {t: lp["token_logprobs"][j]}
            got.update({tid(k): v for k, v in lp["top_logprobs"][j].items()})
            for k, v in got.items():
                dg = max(dg, abs(v - greedy_rows[s][k]))
            if t != g["greedy"][s]:
                break
            match += 1
        err = max(dl, dg)
        bad_greedy = None
        if match < 32:
            row = sorted(raw_greedy[match], reverse=True)
            gap = row[0] - row[1]
            if gap > 2 * err + 1e-6:
                bad_greedy = {"step": match, "golden_gap": gap}
        bound = BOUND.get(typ, 1.5)
        res = {"type": typ, "seq": seq, "prompt_max_abs_vs_llama": round(dl, 5), "prompt_max_abs_vs_ref": round(dr, 5),
               "greedy_max_abs_vs_llama": round(dg, 5), "greedy_prefix_match": match, "bound": bound,
               "greedy_mismatch": bad_greedy}
        print(json.dumps(res), flush=True)
        if bad_greedy or dl > bound:
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
