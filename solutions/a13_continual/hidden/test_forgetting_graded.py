"""Graded: the naive fine-tuning loop and the forgetting it measures (part "forgetting", 8)."""

import numpy as np
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, part, points, watch_call


def mlp(student, device, seed=0, n_out=10):
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, n_out))
    model = student.cl_train.make_mlp(64, 16, n_out)
    model.load_state_dict(ref.state_dict())
    model.to(device)
    return model, ref.to(device)


def on(stream, device):
    return [{k: v.to(device) for k, v in e.items()} for e in stream]


@part("forgetting")
@points(2)
def test_fit_experience_loop(student, rng, device):
    """fit_experience visits every example once per epoch (70 examples, batch 32: 3 batches, the
    last of 6), in the order of randperm of one generator seeded `seed`, its first loss is the
    cross-entropy of the first batch, it is repeatable, leaves the model in eval mode and does
    not modify x or y."""
    x = torch.as_tensor(rng.normal(size=(70, 64)), dtype=torch.float32, device=device)
    y = torch.as_tensor(rng.integers(0, 10, 70), device=device)
    runs = []
    for _ in range(2):
        model, ref = mlp(student, device)
        call = watch_call(student.cl_train.fit_experience, model, x, y, epochs=2, lr=0.05,
                          batch_size=32, seed=7)
        assert not call.changed, f"fit_experience modified {call.changed} in place"
        runs.append(call.result)
    assert isinstance(runs[0], list) and len(runs[0]) == 6, (
        "fit_experience should return one loss per batch, the last partial batch included")
    g = torch.Generator().manual_seed(7)
    first = torch.randperm(70, generator=g)[:32].to(device)
    with torch.no_grad():
        want = F.cross_entropy(ref(x[first]), y[first]).item()
    assert_close(runs[0][0], want, rtol=1e-4, name="the first batch's loss")
    assert_close(runs[1], runs[0], rtol=1e-5, name="the losses of a second, identical run")
    assert model.training is False, "the trained model should be left in eval mode"


@part("forgetting")
@points(2)
def test_fit_experience_is_sgd_step(student, rng, device):
    """One full batch of fit_experience is one plain SGD step w - lr grad on the (masked, when
    `classes` is given) cross-entropy."""
    x = torch.as_tensor(rng.normal(size=(20, 64)), dtype=torch.float32, device=device)
    y = torch.as_tensor(rng.choice([1, 4, 6], 20), device=device)
    classes = torch.tensor([1, 4, 6], device=device)
    for mask in (None, classes):
        model, ref = mlp(student, device, seed=3)
        student.cl_train.fit_experience(model, x, y, epochs=1, lr=0.3, batch_size=20, seed=0,
                                        classes=mask)
        logits = ref(x)
        if mask is not None:
            keep = torch.zeros(10, dtype=torch.bool, device=device)
            keep[mask] = True
            logits = logits.masked_fill(~keep, float("-inf"))
        F.cross_entropy(logits, y).backward()
        got = model.state_dict()
        for k, p in ref.named_parameters():
            assert_close(got[k], (p - 0.3 * p.grad).detach(), rtol=1e-4, atol=1e-6,
                         name=f"{k} after one step ({'masked' if mask is not None else 'plain'})")


@part("forgetting")
@points(2)
def test_naive_forgets_class_incremental(student, reference, device):
    """train_naive on class-incremental split digits: every experience is learned when it is
    trained (R[t, t] >= 0.8) and then forgotten (forgetting >= 0.7, ACC <= 0.35)."""
    stream = on(reference.cl_streams.split_digits(5), device)
    model = student.cl_train.make_mlp(seed=0)
    model.to(device)
    r = student.cl_train.train_naive(model, stream, epochs=5)
    assert tuple(r.shape) == (5, 5) and r.dtype == torch.float64, "R should be (T, T) float64"
    assert float(torch.diagonal(r).min()) >= 0.8, "some experience was not learned"
    assert reference.cl_metrics.forgetting(r) >= 0.7, "naive fine-tuning should forget"
    assert reference.cl_metrics.average_accuracy(r) <= 0.35, "ACC is too high for naive"


@part("forgetting")
@points(2)
def test_naive_rows_and_task_incremental(student, reference, device):
    """train_naive's last row is the final model's evaluate_stream (checked here with its
    weights), and task-incremental masking forgets far less than class-incremental."""
    stream = on(reference.cl_streams.split_digits(5, seed=2), device)
    model = student.cl_train.make_mlp(seed=1)
    model.to(device)
    r = student.cl_train.train_naive(model, stream, epochs=3, task_incremental=True)
    net = reference.cl_train.make_mlp()
    net.load_state_dict(model.state_dict())
    net.to(device)
    want = reference.cl_metrics.evaluate_stream(net, stream, task_incremental=True)
    assert_close(r[-1], want, atol=1e-6, name="the last row of R")
    assert reference.cl_metrics.forgetting(r) <= 0.3, (
        "task-incremental naive fine-tuning should forget much less than class-incremental")
    assert float(np.min(torch.diagonal(r).numpy())) >= 0.9, "some task was not learned"
