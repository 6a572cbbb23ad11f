#!/usr/bin/env python3
"""Held-out-style model variants: hyper-parameters the fixtures do not cover, checked against a float64 reference.

Usage: bench/acceptance/variants.py write <out-dir> [F32 fixture gguf]
           writes variant GGUF files (same F32 weights, other hparams / tensors) and prints their names
       bench/acceptance/variants.py check <base-url> <variant gguf> [seq]
           sends the fixture sequence (default seq64) as a token-id prompt with echo + logprobs 20 and compares every
           returned logprob with the log-softmax of a numpy float64 forward pass of that same file (the fixture
           README's forward pass: LayerNorm, NeoX rotary on the first n_rot dims, GELU tanh, parallel or sequential
           residual, output or tied token_embd); prints max |delta| and exits 1 above 0.05.

Variants: sequential residual; 8 heads of 32 with full rotary; 2 heads of 128 with n_rot 32; rope freq_base 500 and
layer-norm eps 1e-3; no output tensor (tied to token_embd); context length 64.
Needs numpy (float64 reference) and the Python standard library.
"""
import json, math, os, struct, sys, urllib.request

import numpy as np

T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = range(13)
SCALAR = {T_UINT8: "<B", T_INT8: "<b", T_UINT16: "<H", T_INT16: "<h", T_UINT32: "<I", T_INT32: "<i", T_FLOAT32: "<f",
          T_BOOL: "<?", T_UINT64: "<Q", T_INT64: "<q", T_FLOAT64: "<d"}


class Reader:
    def __init__(self, data):
        self.d, self.p = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.p)[0]
        self.p += struct.calcsize(fmt)
        return v

    def string(self):
        n = self.take("<Q")
        s = self.d[self.p:self.p + n].decode("utf-8")
        self.p += n
        return s

    def value(self, t):
        if t == T_STRING:
            return self.string()
        if t == T_ARRAY:
            et, n = self.take("<I"), self.take("<Q")
            return (et, [self.value(et) for _ in range(n)])
        return self.take(SCALAR[t])


def read_gguf(path):
    data = open(path, "rb").read()
    r = Reader(data)
    assert r.take("<I") == 0x46554747, "not GGUF"
    version = r.take("<I")
    nt, nkv = r.take("<Q"), r.take("<Q")
    kv = {}
    for _ in range(nkv):
        k = r.string()
        t = r.take("<I")
        kv[k] = (t, r.value(t))
    infos = []
    for _ in range(nt):
        name = r.string()
        nd = r.take("<I")
        ne = [r.take("<Q") for _ in range(nd)]
        typ, off = r.take("<I"), r.take("<Q")
        infos.append((name, ne, typ, off))
    align = kv.get("general.alignment", (T_UINT32, 32))[1]
    base = (r.p + align - 1) // align * align
    tensors = {}
    for name, ne, typ, off in infos:
        assert typ == 0, f"{name}: only F32 tensors are supported here"
        n = int(np.prod(ne))
        tensors[name] = (ne, np.frombuffer(data, dtype="<f4", count=n, offset=base + off).copy())
    return kv, tensors


def w_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def w_value(t, v):
    if t == T_STRING:
        return w_string(v)
    if t == T_ARRAY:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(w_value(et, x) for x in items)
    return struct.pack(SCALAR[t], v)


def write_gguf(path, kv, tensors, align=32):
    out = bytearray(struct.pack("<IIQQ", 0x46554747, 3, len(tensors), len(kv)))
    for k, (t, v) in kv.items():
        out += w_string(k) + struct.pack("<I", t) + w_value(t, v)
    off, blobs = 0, []
    for name, (ne, arr) in tensors.items():
        out += w_string(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", x) for x in ne)
        out += struct.pack("<IQ", 0, off)
        b = arr.astype("<f4").tobytes()
        blobs.append((off, b))
        off = (off + len(b) + align - 1) // align * align
    out += b"\0" * ((-len(out)) % align)
    start = len(out)
    for o, b in blobs:
        out += b"\0" * (start + o - len(out)) + b
    open(path, "wb").write(out)


def variants(kv, tensors):
    A = "gptneox."

    def v(**changes):
        k = dict(kv)
        for key, val in changes.items():
            k[A + key.replace("__", ".")] = val
        return k
    yield "seqres", v(use_parallel_residual=(T_BOOL, False)), tensors
    yield "h8rot32", v(attention__head_count=(T_UINT32, 8), rope__dimension_count=(T_UINT32, 32)), tensors
    yield "h2rot32", v(attention__head_count=(T_UINT32, 2), rope__dimension_count=(T_UINT32, 32)), tensors
    yield "base500eps", v(rope__freq_base=(T_FLOAT32, 500.0), attention__layer_norm_epsilon=(T_FLOAT32, 1e-3)), tensors
    yield "tied", kv, {n: t for n, t in tensors.items() if n != "output.weight"}
    yield "ctx64", v(context_length=(T_UINT32, 64)), tensors
    k = dict(kv)
    k["general.name"] = (T_STRING, "variant-v2")
    yield "seqres-h8", v(use_parallel_residual=(T_BOOL, False), attention__head_count=(T_UINT32, 8),
                         rope__dimension_count=(T_UINT32, 8)), tensors


def hp(kv, key, default=None):
    return kv.get("gptneox." + key, (None, default))[1]


def forward(kv, tensors, ids):
    """float64 forward pass (fixtures README), logits [n, vocab]."""
    W = {k: v[1].reshape(list(reversed(v[0]))).astype(np.float64) for k, v in tensors.items()}
    E = hp(kv, "embedding_length")
    H = hp(kv, "attention.head_count")
    hd = E // H
    rot = hp(kv, "rope.dimension_count")
    base = hp(kv, "rope.freq_base", 10000.0)
    eps = hp(kv, "attention.layer_norm_epsilon")
    parallel = hp(kv, "use_parallel_residual", True)
    L = hp(kv, "block_count")
    n = len(ids)

    def ln(x, w, b):
        m = x.mean(-1, keepdims=True)
        var = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(var + eps) * w + b

    def gelu(x):
        return 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))

    def rope(v):  # v [n, H, hd]
        v = v.copy()
        half = rot // 2
        pos = np.arange(n)[:, None]
        theta = pos * base ** (-2 * np.arange(half) / rot)
        c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
        a, b = v[:, :, :half].copy(), v[:, :, half:rot].copy()
        v[:, :, :half] = a * c - b * s
        v[:, :, half:rot] = a * s + b * c
        return v

    x = W["token_embd.weight"][ids]
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for l in range(L):
        p = f"blk.{l}."

        def attn(h):
            qkv = h @ W[p + "attn_qkv.weight"].T + W[p + "attn_qkv.bias"]
            q, k, v = (qkv[:, i * E:(i + 1) * E].reshape(n, H, hd) for i in range(3))
            q, k = rope(q), rope(k)
            out = np.zeros((n, H, hd))
            for h_ in range(H):
                s = q[:, h_] @ k[:, h_].T / math.sqrt(hd) + mask
                s = np.exp(s - s.max(-1, keepdims=True))
                s /= s.sum(-1, keepdims=True)
                out[:, h_] = s @ v[:, h_]
            return out.reshape(n, E) @ W[p + "attn_output.weight"].T + W[p + "attn_output.bias"]

        def mlp(h):
            u = gelu(h @ W[p + "ffn_up.weight"].T + W[p + "ffn_up.bias"])
            return u @ W[p + "ffn_down.weight"].T + W[p + "ffn_down.bias"]
        if parallel:
            x = x + attn(ln(x, W[p + "attn_norm.weight"], W[p + "attn_norm.bias"])) \
                + mlp(ln(x, W[p + "ffn_norm.weight"], W[p + "ffn_norm.bias"]))
        else:
            x = x + attn(ln(x, W[p + "attn_norm.weight"], W[p + "attn_norm.bias"]))
            x = x + mlp(ln(x, W[p + "ffn_norm.weight"], W[p + "ffn_norm.bias"]))
    out = W.get("output.weight", W["token_embd.weight"])
    return ln(x, W["output_norm.weight"], W["output_norm.bias"]) @ out.T


def check(base_url, path, seq):
    kv, tensors = read_gguf(path)
    here = os.path.dirname(os.path.abspath(__file__))
    man = json.load(open(os.path.join(here, "../../src/test/resources/fixtures/models/manifest.json")))
    ids = man["sequences"][seq]["tokens"]
    ctx = hp(kv, "context_length")
    ids = ids[:ctx]
    logits = forward(kv, tensors, ids)
    lsm = logits - logits.max(-1, keepdims=True)
    lsm = lsm - np.log(np.exp(lsm).sum(-1, keepdims=True))
    body = {"prompt": ids, "max_tokens": 0, "echo": True, "logprobs": 20, "return_tokens_as_token_ids": True}
    req = urllib.request.Request(base_url.rstrip("/") + "/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    lp = json.loads(urllib.request.urlopen(req, timeout=300).read())["choices"][0]["logprobs"]
    worst = 0.0
    for i in range(1, len(ids)):
        got = {ids[i]: lp["token_logprobs"][i]}
        got.update({int(k.split(":")[1]): v for k, v in lp["top_logprobs"][i].items()})
        for t, v in got.items():
            worst = max(worst, abs(v - lsm[i - 1][t]))
    print(json.dumps({"variant": os.path.basename(path), "tokens": len(ids), "max_abs_vs_float64": round(worst, 5)}))
    return worst <= 0.05


def main():
    if sys.argv[1] == "write":
        out = sys.argv[2]
        src = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                   "../../src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf")
        kv, tensors = read_gguf(src)
        os.makedirs(out, exist_ok=True)
        for name, k, t in variants(kv, tensors):
            p = os.path.join(out, f"variant-{name}.gguf")
            write_gguf(p, k, t)
            print(p)
    else:
        ok = check(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "seq64")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
