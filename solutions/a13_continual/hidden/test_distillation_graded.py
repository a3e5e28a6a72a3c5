"""Graded: Learning without Forgetting's temperature-scaled distillation (part "distillation",
8 points)."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points, watch_call


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@part("distillation")
@points(2)
def test_soft_targets(student, rng, device):
    """soft_targets is softmax(logits / T) over the last axis (also of (A, B, C) logits), stable
    for large logits."""
    for t in (1.0, 3.0, 0.5):
        z = rng.normal(0, 4, (6, 5))
        got = student.distillation.soft_targets(torch.as_tensor(z, device=device), t)
        assert_close(got, softmax(z / t), rtol=1e-10, atol=1e-14, name=f"soft targets, T={t}")
    z = rng.normal(0, 2, (2, 3, 4))
    got = student.distillation.soft_targets(torch.as_tensor(z, device=device), 2.0)
    assert_close(got, softmax(z / 2.0), rtol=1e-10, atol=1e-14, name="soft targets of (2, 3, 4)")
    big = np.array([[1000.0, 990.0, -1000.0]])
    got = student.distillation.soft_targets(torch.as_tensor(big, device=device), 2.0)
    assert_close(got, softmax(big / 2.0), rtol=1e-10, atol=1e-14, name="large logits")


@part("distillation")
@points(3)
def test_distillation_loss_formula(student, rng, device):
    """distillation_loss = T^2 mean_b (-sum_c softmax(o/T) log softmax(z/T)) for several T and
    shapes, without modifying its arguments."""
    for t, (b, c) in ((1.0, (4, 3)), (2.0, (7, 10)), (5.0, (1, 2)), (0.7, (3, 6))):
        z, o = rng.normal(0, 3, (b, c)), rng.normal(0, 3, (b, c))
        p, q = softmax(o / t), softmax(z / t)
        want = t ** 2 * np.mean(-(p * np.log(q)).sum(-1))
        zt, ot = torch.as_tensor(z, device=device), torch.as_tensor(o, device=device)
        call = watch_call(student.distillation.distillation_loss, zt, ot, t)
        assert not call.changed, f"distillation_loss modified {call.changed} in place"
        assert_close(call.result, want, rtol=1e-9, name=f"the loss with T={t}, B={b}, C={c}")


@part("distillation")
@points(1)
def test_distillation_loss_raises(student, device):
    """distillation_loss raises ValueError for T <= 0."""
    z = torch.zeros(2, 3, device=device)
    for t in (0.0, -1.0):
        with pytest.raises(StudentError) as raised:
            student.distillation.distillation_loss(z, z, t)
        assert raised.value.type_name == "ValueError", f"T={t} should raise ValueError"


@part("distillation")
@points(1)
def test_lwf_alpha_zero_is_naive(student, reference, device):
    """train_lwf with alpha = 0 trains exactly as train_naive (same seeds, same batches)."""
    stream = [{k: v.to(device) for k, v in e.items()}
              for e in reference.cl_streams.split_digits(5, seed=1)[:3]]
    naive = reference.cl_train.make_mlp(seed=2).to(device)
    want = reference.cl_train.train_naive(naive, stream, epochs=2)
    model = student.cl_train.make_mlp(seed=2)
    model.to(device)
    got = student.distillation.train_lwf(model, stream, alpha=0.0, epochs=2)
    assert_close(got, want, atol=0.02, name="R with alpha = 0")


@part("distillation")
@points(1)
def test_lwf_forgets_less_than_naive(student, reference, device):
    """train_lwf (alpha 5, T 2) on permuted digits forgets at least 0.15 less than naive."""
    stream = [{k: v.to(device) for k, v in e.items()}
              for e in reference.cl_streams.permuted_digits(3, seed=0)]
    naive = reference.cl_train.make_mlp(seed=0).to(device)
    f_naive = reference.cl_metrics.forgetting(reference.cl_train.train_naive(naive, stream,
                                                                             epochs=3))
    model = student.cl_train.make_mlp(seed=0)
    model.to(device)
    r = student.distillation.train_lwf(model, stream, alpha=5.0, temperature=2.0, epochs=3)
    f = reference.cl_metrics.forgetting(r)
    assert f <= f_naive - 0.15, f"LwF forgets {f:.2f}, naive {f_naive:.2f}: not 0.15 less"
