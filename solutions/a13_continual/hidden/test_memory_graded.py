"""Graded: Neural Turing Machine addressing, reads and writes against float64 numpy references
written from the paper's equations (part "memory", 16 points)."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-9, "atol": 1e-12}


def t64(a, device):
    return torch.as_tensor(np.asarray(a, dtype=np.float64), device=device)


def np_content(mem, key, beta):
    out = np.zeros(mem.shape[:2])
    for b in range(mem.shape[0]):
        for i in range(mem.shape[1]):
            denom = max(np.linalg.norm(mem[b, i]), 1e-8) * max(np.linalg.norm(key[b]), 1e-8)
            out[b, i] = beta[b] * (mem[b, i] @ key[b]) / denom
        out[b] = np.exp(out[b] - out[b].max())
        out[b] /= out[b].sum()
    return out


def np_shift(w, s):
    bsz, n = w.shape
    k = s.shape[1]
    out = np.zeros_like(w)
    for b in range(bsz):
        for i in range(n):
            for j in range(k):
                out[b, i] += s[b, j] * w[b, (i - (j - k // 2)) % n]
    return out


def np_sharpen(w, gamma):
    p = w ** gamma[:, None]
    return p / p.sum(1, keepdims=True)


def draw(rng, b=3, n=7, w=4, k=3):
    mem = rng.normal(size=(b, n, w))
    wp = rng.dirichlet(np.ones(n), b)
    return {"mem": mem, "key": rng.normal(size=(b, w)), "beta": rng.uniform(0.5, 5, b),
            "w_prev": wp, "gate": rng.uniform(0, 1, b), "shift": rng.dirichlet(np.ones(k), b),
            "gamma": rng.uniform(1, 4, b)}


@part("memory")
@points(2)
def test_content_weights(student, rng, device):
    """content_weights is softmax(beta cos(k, M[i])) over the slots; a zero slot has similarity
    0, beta = 0 gives uniform weights."""
    d = draw(rng)
    d["mem"][0, 2] = 0.0
    d["beta"][1] = 0.0
    got = student.ntm.content_weights(t64(d["mem"], device), t64(d["key"], device),
                                      t64(d["beta"], device))
    assert_close(got, np_content(d["mem"], d["key"], d["beta"]), **TOL, name="w_c")
    assert_close(got[1], np.full(7, 1 / 7), **TOL, name="w_c with beta = 0")


@part("memory")
@points(2)
def test_interpolate(student, rng, device):
    """interpolate is g w_c + (1 - g) w_prev, per batch row."""
    wc, wp, g = rng.dirichlet(np.ones(5), 4), rng.dirichlet(np.ones(5), 4), rng.uniform(0, 1, 4)
    g[0], g[1] = 0.0, 1.0
    got = student.ntm.interpolate(t64(wc, device), t64(wp, device), t64(g, device))
    assert_close(got, g[:, None] * wc + (1 - g[:, None]) * wp, **TOL, name="w_g")


@part("memory")
@points(2)
def test_circular_shift(student, rng, device):
    """circular_shift is the circular convolution of w with s over shifts -(K-1)/2..(K-1)/2 for
    K = 1, 3, 5 (a one-hot +1 shift moves every weight one slot forward, wrapping around), and
    raises ValueError for an even K."""
    for k in (3, 5, 1):
        w, s = rng.dirichlet(np.ones(6), 2), rng.dirichlet(np.ones(k), 2)
        got = student.ntm.circular_shift(t64(w, device), t64(s, device))
        assert_close(got, np_shift(w, s), **TOL, name=f"w~ with K={k}")
    w = np.eye(6)[[5, 2]]
    plus_one = np.array([[0.0, 0.0, 1.0]] * 2)
    got = student.ntm.circular_shift(t64(w, device), t64(plus_one, device))
    assert_close(got, np.eye(6)[[0, 3]], **TOL, name="a +1 shift of one-hot weights")
    with pytest.raises(StudentError) as raised:
        student.ntm.circular_shift(t64(w, device), t64(np.ones((2, 2)) / 2, device))
    assert raised.value.type_name == "ValueError", "an even number of shifts should raise"


@part("memory")
@points(2)
def test_sharpen(student, rng, device):
    """sharpen raises w to gamma and renormalises; gamma = 1 leaves a distribution unchanged."""
    w, gamma = rng.dirichlet(np.ones(6), 3), rng.uniform(1, 5, 3)
    gamma[2] = 1.0
    got = student.ntm.sharpen(t64(w, device), t64(gamma, device))
    assert_close(got, np_sharpen(w, gamma), **TOL, name="sharpened w")
    assert_close(got[2], w[2], **TOL, name="gamma = 1")


@part("memory")
@points(3)
def test_address(student, rng, device):
    """address composes content, gate, shift and sharpen in the paper's order, and does not
    modify its arguments."""
    for k in (3, 5):
        d = draw(rng, k=k)
        args = [t64(d[n], device) for n in ("mem", "w_prev", "key", "beta", "gate", "shift",
                                            "gamma")]
        call = watch_call(student.ntm.address, *args)
        assert not call.changed, f"address modified {call.changed} in place"
        wc = np_content(d["mem"], d["key"], d["beta"])
        wg = d["gate"][:, None] * wc + (1 - d["gate"][:, None]) * d["w_prev"]
        want = np_sharpen(np_shift(wg, d["shift"]), d["gamma"])
        assert_close(call.result, want, **TOL, name=f"the head's weighting with K={k}")


@part("memory")
@points(1)
def test_read(student, rng, device):
    """read is sum_i w[i] M[i] per batch row."""
    mem, w = rng.normal(size=(3, 5, 4)), rng.dirichlet(np.ones(5), 3)
    got = student.ntm.read(t64(mem, device), t64(w, device))
    assert_close(got, np.stack([w[b] @ mem[b] for b in range(3)]), **TOL, name="r")


@part("memory")
@points(2)
def test_write(student, rng, device):
    """write erases then adds, M'[i] = M[i] (1 - w[i] e) + w[i] a, returns a new memory, and
    a one-hot weighting with e = 1 replaces exactly one slot by a."""
    mem, w = rng.normal(size=(2, 5, 4)), rng.dirichlet(np.ones(5), 2)
    e, a = rng.uniform(0, 1, (2, 4)), rng.normal(size=(2, 4))
    want = mem * (1 - w[:, :, None] * e[:, None, :]) + w[:, :, None] * a[:, None, :]
    call = watch_call(student.ntm.write, t64(mem, device), t64(w, device), t64(e, device),
                      t64(a, device))
    assert not call.changed, f"write modified {call.changed} in place: return a new memory"
    assert_close(call.result, want, **TOL, name="M'")
    onehot = np.eye(5)[[1, 4]]
    got = student.ntm.write(t64(mem, device), t64(onehot, device), t64(np.ones((2, 4)), device),
                            t64(a, device))
    want = mem.copy()
    want[0, 1], want[1, 4] = a[0], a[1]
    assert_close(got, want, **TOL, name="M' after replacing one slot")


@part("memory")
@points(2)
def test_location_addressing_copies_a_sequence(student, rng, device):
    """A head driven by location only (gate 0, shift +1, gamma 1) writes a sequence into
    consecutive slots with write(e = 1), then, restarted at slot 0, reads it back in order:
    the copy task solved by addressing alone."""
    n, width, length = 8, 5, 6
    seq = rng.normal(size=(length, 1, width))
    mem = t64(np.zeros((1, n, width)), device)
    start = t64(np.eye(n)[[n - 1]], device)      # one slot before 0: the first shift lands on 0
    head = {"key": t64(np.ones((1, width)), device), "beta": t64([1.0], device),
            "gate": t64([0.0], device), "shift": t64([[0.0, 0.0, 1.0]], device),
            "gamma": t64([1.0], device)}
    w = start
    for t in range(length):
        w = student.ntm.address(mem, w, head["key"], head["beta"], head["gate"], head["shift"],
                                head["gamma"])
        mem = student.ntm.write(mem, w, t64(np.ones((1, width)), device), t64(seq[t], device))
    w, out = start, []
    for _ in range(length):
        w = student.ntm.address(mem, w, head["key"], head["beta"], head["gate"], head["shift"],
                                head["gamma"])
        out.append(student.ntm.read(mem, w).cpu().numpy())
    assert_close(np.stack(out), seq, **TOL, name="the sequence read back")
