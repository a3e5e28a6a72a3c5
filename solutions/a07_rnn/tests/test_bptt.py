"""Clipping by total norm against torch.nn.utils.clip_grad_norm_; a short TBPTT run."""

import torch
from bptt import clip_gradients, train_tbptt
from recurrent import SequenceModel

torch.set_num_threads(1)  # these small ops only lose time to threads on a busy CPU


def test_clip_gradients_matches_torch() -> None:
    torch.manual_seed(0)
    grads = [torch.randn(3, 4) * 5, torch.randn(7)]
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = g.clone()
    total_ref = torch.nn.utils.clip_grad_norm_(params, 2.0)
    clipped, total = clip_gradients(grads, 2.0)
    torch.testing.assert_close(total, total_ref)
    for got, p in zip(clipped, params, strict=True):
        torch.testing.assert_close(got, p.grad)


def test_clip_gradients_leaves_its_arguments() -> None:
    grads = [torch.full((2, 3), 4.0), torch.full((5,), -3.0)]
    copies = [g.clone() for g in grads]
    clipped, _ = clip_gradients(grads, 1.0)
    for g, c in zip(grads, copies, strict=True):
        torch.testing.assert_close(g, c)  # new tensors are returned; the inputs stay as they were
    assert abs(sum(float(g.square().sum()) for g in clipped) ** 0.5 - 1.0) < 1e-5


def test_tbptt_trains_on_the_last_short_chunk() -> None:
    torch.manual_seed(1)
    model = SequenceModel("gru", 1, 4, 1)
    x, y = torch.randn(2, 23, 1), torch.randn(2, 23, 1)
    with torch.no_grad():
        first = float(torch.mean((model(x[:, :5])[0] - y[:, :5]) ** 2))
    losses = train_tbptt(model, x, y, chunk=5, lr=0.1)
    assert len(losses) == 5  # 23 steps: four chunks of 5 and one of 3
    assert abs(losses[0] - first) < 1e-5


def test_tbptt_reduces_the_loss() -> None:
    torch.manual_seed(0)
    model = SequenceModel("gru", 1, 8, 1)
    t = torch.arange(200.0)
    x = torch.sin(0.2 * t).reshape(1, -1, 1).repeat(4, 1, 1)
    y = torch.sin(0.2 * (t + 1)).reshape(1, -1, 1).repeat(4, 1, 1)
    first = train_tbptt(model, x, y, chunk=20, lr=0.5, max_norm=1.0)
    assert len(first) == 10
    for _ in range(5):
        last = train_tbptt(model, x, y, chunk=20, lr=0.5, max_norm=1.0)
    assert sum(last) < 0.5 * sum(first)
