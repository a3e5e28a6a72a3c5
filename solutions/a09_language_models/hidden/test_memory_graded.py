"""Graded: the recurrent memory transformer's contract (shapes, read and write memory tokens,
the memory carried between segments) against the same computation done here with the
reference GPT blocks and copied weights in float64, the gradient through the memory, and recall
of the previous segment against the same model without memory (part "memory", 10)."""

import math

import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points
from dnn.lm_segments import repeated_segments

TOL = {"rtol": 1e-9, "atol": 1e-10}
V, N, S, C, H, L = 7, 3, 5, 8, 2, 2


def random_state(rng, reference, device) -> dict[str, torch.Tensor]:
    torch.manual_seed(int(rng.integers(1000)))
    ref = reference.memory_transformer.MemoryTransformer(V, N, S, C, H, L).double()
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.randn_like(p) / math.sqrt(p.shape[-1]) + (p.dim() == 1) * 1.0)
    return {k: v.to(device) for k, v in ref.state_dict().items()}


def oracle(reference, state, ids: torch.Tensor, mem: torch.Tensor | None
           ) -> tuple[torch.Tensor, torch.Tensor]:
    """[m; emb[ids]; m] + pos through the reference blocks, the segment's logits and m'."""
    b, t = ids.shape
    m = state["mem_init"].expand(b, N, C) if mem is None else mem
    x = torch.cat([m, state["emb.weight"][ids], m], 1) + state["pos.weight"][:2 * N + t]
    for li in range(L):
        block = reference.gpt.Block(C, H).double().to(ids.device)
        block.load_state_dict({k.removeprefix(f"blocks.{li}."): v for k, v in state.items()
                               if k.startswith(f"blocks.{li}.")})
        x, _ = block(x)
    y = F.layer_norm(x[:, N:N + t], (C,), state["ln_f.weight"], state["ln_f.bias"], 1e-5)
    return y @ state["head.weight"].T + state["head.bias"], x[:, N + t:]


def student_rmt(student, state, device):
    model = student.memory_transformer.MemoryTransformer(V, N, S, C, H, L)
    model.double()
    model.to(device)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in state.items()}, \
        "the parameters should have the handout's names and shapes"
    model.load_state_dict(state)
    return model


@part("memory")
@points(3)
def test_memory_read_and_written(student, reference, rng, device):
    """Over three segments (the last shorter), the logits and the written memory (B, N, C) equal
    [m; segment; m] through the GPT blocks with copied weights, starting from mem_init and
    carrying each segment's written memory to the next; T > seg_len raises ValueError."""
    state = random_state(rng, reference, device)
    model = student_rmt(student, state, device)
    ids = torch.as_tensor(rng.integers(0, V, (2, 13)), device=device)
    mem_got = mem_want = None
    for s, (a, z) in enumerate(((0, 5), (5, 10), (10, 13))):
        with torch.no_grad():
            want, mem_want = oracle(reference, state, ids[:, a:z], mem_want)
        got, mem_got = model(ids[:, a:z], mem_got)
        assert tuple(mem_got.shape) == (2, N, C), "the written memory should be (B, n_mem, C)"
        assert_close(got, want, **TOL, name=f"logits of segment {s}")
        assert_close(mem_got, mem_want, **TOL, name=f"memory written by segment {s}")
    with pytest.raises(StudentError) as err:
        model(torch.zeros(1, S + 1, dtype=torch.long, device=device))
    assert err.value.type_name == "ValueError", "a segment longer than seg_len should raise"


@part("memory")
@points(3)
def test_gradient_flows_through_memory(student, reference, rng, device):
    """The written memory is not detached and the read memory is used: the gradients of the
    logits and the written memory with respect to the incoming memory and the parameters equal
    those of the same computation done here."""
    state = random_state(rng, reference, device)
    model = student_rmt(student, state, device)
    ids = torch.as_tensor(rng.integers(0, V, (2, S)), device=device)
    mem = torch.as_tensor(rng.standard_normal((2, N, C)), device=device)
    ups = [torch.as_tensor(rng.standard_normal((2, S, V)), device=device),
           torch.as_tensor(rng.standard_normal((2, N, C)), device=device)]
    grads = student.lib("dnn.autograd").gradients(model, [ids, mem], ups)
    leaf = {k: v.clone().requires_grad_(True) for k, v in state.items()}
    m = mem.clone().requires_grad_(True)
    logits, written = oracle(reference, leaf, ids, m)
    total = (logits * ups[0]).sum() + (written * ups[1]).sum()
    total.backward()
    assert "input1" in grads, "the incoming memory should get a gradient"
    assert_close(grads["input1"], m.grad, rtol=1e-8, atol=1e-10, name="gradient of the memory")
    for k in ("emb.weight", "pos.weight", "head.weight", "ln_f.weight"):
        assert k in grads, f"{k} should get a gradient"
        assert_close(grads[k], leaf[k].grad, rtol=1e-8, atol=1e-10, name=f"gradient of {k}")


@part("memory")
@points(4)
def test_memory_recalls_previous_segment(student, device):
    """On rows [A, A] (A 8 random tokens of 8, segments of 8), train_rmt with the memory (other
    defaults, seed 0) predicts the second segment's next tokens at least 0.4 better in accuracy
    than the same model trained with use_memory=False, and above 0.6; scored here on held-out
    rows; one loss per step is returned."""
    seg, vocab = 8, 8
    train = repeated_segments(2000, seg, vocab, seed=0)
    test = torch.as_tensor(repeated_segments(256, seg, vocab, seed=1), device=device)
    acc = {}
    for use in (True, False):
        model, losses = student.memory_transformer.train_rmt(train, vocab, seg, use_memory=use,
                                                             device=device)
        assert len(losses) == 250, "train_rmt should return one loss per step"
        model.eval()
        _, mem = model(test[:, :seg])
        logits, _ = model(test[:, seg:], mem if use else None)
        acc[use] = float((logits[:, :-1].argmax(-1) == test[:, seg + 1:]).double().mean())
    assert acc[True] > 0.6, f"with memory the accuracy is only {acc[True]:.2f}"
    assert acc[True] > acc[False] + 0.4, "the memory should beat the model without it by 0.4"
