"""Graded: clipping by total norm and truncated BPTT (part "bptt", 10 points)."""

import math

import numpy as np
import torch

from autograder.testing import assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-12}


def torch_clip(grads: list[torch.Tensor], max_norm: float, norm_type: float):
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return [p.grad for p in params], total


def check_clip(student, grads, max_norm: float, norm_type: float, what: str) -> None:
    got = student.bptt.clip_gradients(grads, max_norm, norm_type)
    want, total = torch_clip(grads, max_norm, norm_type)
    assert isinstance(got, tuple | list) and len(got) == 2, "return (gradients, total norm)"
    assert len(got[0]) == len(grads), "one clipped gradient per input gradient"
    # 0-d tensors cross the sandbox boundary as shape (1,): compare the number
    assert torch.is_tensor(got[1]) and got[1].numel() == 1, "the total norm is a 0-d tensor"
    assert_close(float(got[1]), float(total), **TOL, name=f"total norm ({what})")
    for k, (g, w) in enumerate(zip(got[0], want, strict=True)):
        assert_close(g, w, **TOL, name=f"gradient {k} ({what})")


@part("bptt")
@points(3)
def test_clip_by_total_norm(student, rng):
    """clip_gradients rescales all gradients by one factor so that their total 2-norm is
    max_norm, as torch.nn.utils.clip_grad_norm_ does."""
    shapes = [(4, 3), (7,), (2, 2, 2), (1,)]
    grads = [torch.from_numpy(rng.standard_normal(s)) * 3 for s in shapes]
    check_clip(student, grads, 1.5, 2.0, "2-norm above max_norm")
    check_clip(student, [g * 10 for g in grads], 0.1, 2.0, "large gradients")


@part("bptt")
@points(2)
def test_clip_edge_cases(student, rng):
    """clip_gradients leaves gradients under the threshold unchanged and supports the 1-norm
    and the max-norm (norm_type=inf)."""
    grads = [torch.from_numpy(rng.standard_normal(s)) for s in ((3, 2), (5,))]
    check_clip(student, grads, 100.0, 2.0, "below max_norm")
    check_clip(student, grads, 0.5, 1.0, "1-norm")
    check_clip(student, grads, 0.5, math.inf, "inf-norm")
    got = student.bptt.clip_gradients([], 1.0)
    assert isinstance(got, tuple | list) and len(got) == 2 and len(got[0]) == 0, (
        "no gradients: return ([], total norm)")
    assert float(got[1]) == 0.0, "the total norm of no gradients is 0, as in clip_grad_norm_"


@part("bptt")
@points(1)
def test_clip_returns_new_tensors(student, rng):
    """clip_gradients returns the rescaled gradients as new tensors and leaves the gradients it
    was given unchanged (clipped or not)."""
    grads = [torch.from_numpy(rng.standard_normal(s)) * 4 for s in ((3, 4), (6,))]
    for max_norm in (0.5, 1e3):
        call = watch_call(student.bptt.clip_gradients, grads, max_norm)
        assert not call.changed, (
            f"clip_gradients (max_norm={max_norm}) changed its argument {call.changed} in place")
        want, _ = torch_clip(grads, max_norm, 2.0)
        for k, (g, w) in enumerate(zip(call.result[0], want, strict=True)):
            assert_close(g, w, **TOL, name=f"gradient {k} (max_norm={max_norm})")


def reference_tbptt(rnn, head, x, y, chunk: int, lr: float, max_norm: float | None):
    params = list(rnn.parameters()) + list(head.parameters())
    losses, state = [], None
    for start in range(0, x.shape[1], chunk):
        out, state = rnn(x[:, start:start + chunk], state)
        loss = torch.mean((head(out) - y[:, start:start + chunk]) ** 2)
        for p in params:
            p.grad = None
        loss.backward()
        if max_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, max_norm)
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        losses.append(loss.item())
    return losses


@part("bptt")
@points(4)
def test_truncated_bptt(student, rng, device):
    """train_tbptt on GRU and LSTM SequenceModels gives torch's chunk losses and final weights:
    state carried (detached) across chunks, a shorter last chunk, clipping, then SGD."""
    b, t, d, h, o = 3, 23, 2, 5, 3
    torch_layers = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM}
    for kind, chunk, max_norm in (("gru", 5, 0.5), ("gru", 8, None), ("lstm", 6, 0.3)):
        torch.manual_seed(int(rng.integers(1 << 30)))
        rnn = torch_layers[kind](d, h, batch_first=True).double()
        head = torch.nn.Linear(h, o).double()
        state = {f"rnn.{k}": v.clone() for k, v in rnn.state_dict().items()}
        state.update({f"head.{k}": v.clone() for k, v in head.state_dict().items()})
        model = student.recurrent.SequenceModel(kind, d, h, o).double().to(device)
        model.load_state_dict(state)
        x, y = (torch.from_numpy(rng.standard_normal((b, t, n))) for n in (d, o))
        got = student.bptt.train_tbptt(model, x.to(device), y.to(device), chunk=chunk, lr=0.2,
                                       max_norm=max_norm)
        want = reference_tbptt(rnn, head, x, y, chunk, 0.2, max_norm)
        what = f"{kind}, {chunk=}"
        assert isinstance(got, list) and len(got) == len(want), f"one loss per chunk ({what})"
        assert_close(np.array(got), np.array(want), rtol=1e-9, name=f"chunk losses ({what})")
        trained = model.state_dict()
        for k, v in {**{f"rnn.{k}": v for k, v in rnn.state_dict().items()},
                     **{f"head.{k}": v for k, v in head.state_dict().items()}}.items():
            assert_close(trained[k], v, rtol=1e-9, atol=1e-11, name=f"trained {k} ({what})")
