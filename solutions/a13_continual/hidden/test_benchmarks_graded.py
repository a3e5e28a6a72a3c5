"""Graded: the split and permuted digits streams and the GEM metrics (part "benchmarks", 12)."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.data import load_digits


def digits(seed):
    data = load_digits(seed=seed)
    return (np.concatenate([data["train"].x, data["val"].x]),
            np.concatenate([data["train"].y, data["val"].y]), data["test"].x, data["test"].y)


def check_split(student, seed, n):
    x_tr, y_tr, x_te, y_te = digits(seed)
    order = np.random.default_rng(seed).permutation(10)
    stream = student.cl_streams.split_digits(n, seed=seed)
    assert len(stream) == n, "split_digits should return n_experiences experiences"
    k = 10 // n
    for t, exp in enumerate(stream):
        classes = order[t * k:(t + 1) * k]
        assert list(exp["classes"].tolist()) == list(classes), (
            f"experience {t}: its classes are not the seeded class order's group {t}")
        for name, x, y in (("train", x_tr, y_tr), ("test", x_te, y_te)):
            keep = np.isin(y, classes)
            assert exp[f"y_{name}"].dtype == torch.int64, "labels should be int64"
            assert exp[f"x_{name}"].dtype == torch.float32, "images should be float32"
            assert_close(exp[f"y_{name}"], y[keep], name=f"experience {t} y_{name}")
            assert_close(exp[f"x_{name}"], x[keep].astype(np.float32), name=f"experience {t} "
                         f"x_{name}")


def r_and_b(rng, t):
    return rng.uniform(0, 1, (t, t)), rng.uniform(0, 0.2, t)


@part("benchmarks")
@points(2)
def test_metrics_against_formulas(student, rng):
    """ACC, BWT, FWT and forgetting match the GEM / Chaudhry formulas on random matrices of
    several sizes, and are 0 (ACC = R[0, 0]) for a single experience."""
    m = student.cl_metrics
    for t in (4, 2, 6):
        r, b = r_and_b(rng, t)
        acc = r[-1].mean()
        bwt = np.mean([r[-1, j] - r[j, j] for j in range(t - 1)])
        fwt = np.mean([r[j - 1, j] - b[j] for j in range(1, t)])
        fgt = np.mean([max(r[l_, j] for l_ in range(t - 1)) - r[-1, j] for j in range(t - 1)])
        rt, bt = torch.as_tensor(r), torch.as_tensor(b)
        for name, got, want in (("average_accuracy", m.average_accuracy(rt), acc),
                                ("backward_transfer", m.backward_transfer(rt), bwt),
                                ("forward_transfer", m.forward_transfer(rt, bt), fwt),
                                ("forgetting", m.forgetting(rt), fgt)):
            assert_close(got, want, rtol=1e-9, atol=1e-12, name=f"{name} with T={t}")
    one = torch.tensor([[0.7]], dtype=torch.float64)
    assert_close(m.average_accuracy(one), 0.7, name="ACC with T=1")
    for name in ("backward_transfer", "forgetting"):
        assert_close(getattr(m, name)(one), 0.0, name=f"{name} with T=1")
    assert_close(m.forward_transfer(one, torch.tensor([0.1], dtype=torch.float64)), 0.0,
                 name="forward_transfer with T=1")


@part("benchmarks")
@points(2)
def test_mask_logits(student, rng, device):
    """mask_logits keeps the task's columns, sets the others to -inf, works on the logits'
    device and does not modify its arguments."""
    logits = torch.as_tensor(rng.normal(size=(5, 10)), device=device)
    classes = torch.tensor([7, 2, 3])
    call = watch_call(student.cl_streams.mask_logits, logits, classes)
    assert not call.changed, f"mask_logits modified {call.changed} in place"
    got = call.result
    assert got.device.type == logits.device.type, "the result should be on the logits' device"
    keep = np.isin(np.arange(10), [2, 3, 7])
    assert torch.isinf(got[:, ~keep]).all() and (got[:, ~keep] < 0).all(), (
        "the columns outside classes should be -inf")
    assert_close(got[:, keep], logits[:, keep], name="the task's logits")


@part("benchmarks")
@points(1)
def test_split_digits_raises(student):
    """split_digits raises ValueError when n_experiences does not divide 10 (or is below 1);
    one experience holds all ten classes."""
    for n in (3, 0):
        with pytest.raises(StudentError) as raised:
            student.cl_streams.split_digits(n)
        assert raised.value.type_name == "ValueError", f"n_experiences={n} should raise ValueError"
    (only,) = student.cl_streams.split_digits(1)
    assert sorted(only["classes"].tolist()) == list(range(10)), (
        "split_digits(1) should be one experience of all ten classes")


@part("benchmarks")
@points(2)
def test_permuted_digits(student):
    """permuted_digits: p_0 is the identity, p_t = randperm(64) of a generator seeded seed + t,
    x' = x[:, p_t] for train and test, all ten classes, labels unchanged."""
    seed = 4
    x_tr, y_tr, x_te, y_te = digits(seed)
    stream = student.cl_streams.permuted_digits(3, seed=seed)
    assert len(stream) == 3, "permuted_digits should return n_experiences experiences"
    for t, exp in enumerate(stream):
        perm = torch.arange(64) if t == 0 else torch.randperm(
            64, generator=torch.Generator().manual_seed(seed + t))
        assert exp["permutation"].tolist() == perm.tolist(), f"experience {t}: wrong permutation"
        assert exp["classes"].tolist() == list(range(10)), "every experience has all ten classes"
        assert_close(exp["x_train"], x_tr[:, perm.numpy()].astype(np.float32),
                     name=f"experience {t} x_train")
        assert_close(exp["x_test"], x_te[:, perm.numpy()].astype(np.float32),
                     name=f"experience {t} x_test")
        assert_close(exp["y_train"], y_tr, name=f"experience {t} y_train")
        assert_close(exp["y_test"], y_te, name=f"experience {t} y_test")


@part("benchmarks")
@points(3)
def test_split_digits(student):
    """split_digits: experience t holds exactly the digits of classes order[t*k:(t+1)*k] of
    default_rng(seed).permutation(10), train (train + val of load_digits) and test, in dataset
    order, for seed 0 (5 experiences) and seed 3 (2 experiences)."""
    for seed, n in ((0, 5), (3, 2)):
        check_split(student, seed, n)


@part("benchmarks")
@points(2)
def test_accuracy_and_evaluate_stream(student, reference, device):
    """accuracy is the fraction of argmax hits (over the task's classes when given, 0 on an
    empty set, training mode kept); evaluate_stream is one float64 (T,) row of them."""
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    model = student.cl_train.make_mlp(seed=1)
    model.load_state_dict(ref.state_dict())
    model.to(device)
    model.train()
    stream = [{k: v.to(device) for k, v in e.items()} for e in reference.cl_streams.split_digits(5)]
    row = student.cl_metrics.evaluate_stream(model, stream)
    row_ti = student.cl_metrics.evaluate_stream(model, stream, task_incremental=True)
    assert model.training is True, "accuracy should not change the model's training mode"
    want, want_ti = [], []
    with torch.no_grad():
        for e in stream:
            logits = ref.to(device)(e["x_test"])
            want.append((logits.argmax(1) == e["y_test"]).double().mean().item())
            masked = torch.full_like(logits, float("-inf"))
            masked[:, e["classes"]] = logits[:, e["classes"]]
            want_ti.append((masked.argmax(1) == e["y_test"]).double().mean().item())
    assert row.dtype == torch.float64 and tuple(row.shape) == (5,), "a (T,) float64 row"
    assert_close(row, want, atol=1e-6, name="class-incremental accuracies")
    assert_close(row_ti, want_ti, atol=1e-6, name="task-incremental accuracies")
    empty = student.cl_metrics.accuracy(model, stream[0]["x_test"][:0], stream[0]["y_test"][:0])
    assert empty == 0.0, "the accuracy of an empty set should be 0.0"
