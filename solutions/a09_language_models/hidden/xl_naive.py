"""A naive float64 Transformer-XL for the graded tests: numpy, one (i, j) pair at a time, the
relative encodings by math.sin / math.cos of the distance. Written from the paper's equations,
independently of the solution (no relative shift, no einsum)."""

import math

import numpy as np


def encoding(dist: float, d: int) -> np.ndarray:
    """s(dist) (d,): [sin(dist w_j)]_j then [cos(dist w_j)]_j, w_j = 10000^(-2j/d)."""
    w = [10000.0 ** (-2.0 * j / d) for j in range(d // 2)]
    return np.array([math.sin(dist * x) for x in w] + [math.cos(dist * x) for x in w])


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def scores(p: dict[str, np.ndarray], x: np.ndarray, mem: np.ndarray | None, n_head: int,
           d_head: int) -> np.ndarray:
    """The scaled, masked scores (B, H, T, M + T) of one relative attention; p holds the weights
    of RelMultiHeadAttention (state_dict names), x (B, T, C), mem (B, M, C) or None."""
    b, t, c = x.shape
    m = 0 if mem is None else mem.shape[1]
    cat = x if mem is None else np.concatenate([mem, x], axis=1)
    hd = n_head * d_head
    wq, wk = p["qkv.weight"][:hd], p["qkv.weight"][hd:2 * hd]
    out = np.full((b, n_head, t, m + t), -np.inf)
    for bi in range(b):
        for h in range(n_head):
            rows = slice(h * d_head, (h + 1) * d_head)
            for i in range(t):
                q = wq[rows] @ x[bi, i]
                for j in range(m + i + 1):                    # keys up to the query's position
                    k = wk[rows] @ cat[bi, j]
                    r = p["r_net.weight"][rows] @ encoding(float(m + i - j), c)
                    term_a = q @ k
                    term_b = q @ r
                    term_c = p["u"][h] @ k
                    term_d = p["v"][h] @ r
                    out[bi, h, i, j] = (term_a + term_b + term_c + term_d) / math.sqrt(d_head)
    return out


def attention(p: dict[str, np.ndarray], x: np.ndarray, mem: np.ndarray | None, n_head: int,
              d_head: int) -> np.ndarray:
    """out(concat_h softmax(scores) V_h) (B, T, C)."""
    s = scores(p, x, mem, n_head, d_head)
    cat = x if mem is None else np.concatenate([mem, x], axis=1)
    hd = n_head * d_head
    val = cat @ p["qkv.weight"][2 * hd:].T                                 # (B, K, H D)
    a = np.exp(s - s.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    y = np.concatenate([a[:, h] @ val[..., h * d_head:(h + 1) * d_head]
                        for h in range(n_head)], axis=-1)
    return y @ p["out.weight"].T


def sub(p: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k.removeprefix(prefix): v for k, v in p.items() if k.startswith(prefix)}


def layer(p: dict[str, np.ndarray], x: np.ndarray, mem: np.ndarray | None, n_head: int,
          d_head: int) -> np.ndarray:
    xn = layer_norm(x, p["ln_1.weight"], p["ln_1.bias"])
    mn = None if mem is None else layer_norm(mem, p["ln_1.weight"], p["ln_1.bias"])
    x = x + attention(sub(p, "attn."), xn, mn, n_head, d_head)
    hdn = layer_norm(x, p["ln_2.weight"], p["ln_2.bias"]) @ p["ff.0.weight"].T + p["ff.0.bias"]
    return x + np.maximum(hdn, 0.0) @ p["ff.2.weight"].T + p["ff.2.bias"]


def model(p: dict[str, np.ndarray], ids: np.ndarray, mems: list[np.ndarray] | None,
          n_layer: int, n_head: int, d_head: int, mem_len: int
          ) -> tuple[np.ndarray, list[np.ndarray]]:
    """logits (B, T, V) and the new memories (the last mem_len inputs of every layer)."""
    x = p["emb.weight"][ids]
    new = []
    for li in range(n_layer):
        mem = None if mems is None else mems[li]
        cat = x if mem is None else np.concatenate([mem, x], axis=1)
        keep = min(mem_len, cat.shape[1])
        new.append(cat[:, cat.shape[1] - keep:])
        x = layer(sub(p, f"layers.{li}."), x, mem, n_head, d_head)
    x = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"])
    return x @ p["head.weight"].T + p["head.bias"], new
