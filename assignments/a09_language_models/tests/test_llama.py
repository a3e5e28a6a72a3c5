"""RMSNorm, RoPE, GQA and the LLaMA model on hand-checkable inputs."""

import math

import torch
from llama import Llama, RMSNorm, apply_rope, repeat_kv, rope_cos_sin, rotate_half


def test_rmsnorm_and_rotate_half() -> None:
    x = torch.tensor([[3.0, 4.0]])
    torch.testing.assert_close(RMSNorm(2, eps=0.0)(x), x / math.sqrt(12.5))
    assert torch.equal(rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0])),
                       torch.tensor([-3.0, -4.0, 1.0, 2.0]))


def test_rope_rotates_pairs_and_keeps_relative_scores() -> None:
    cos, sin = rope_cos_sin(4, torch.arange(6))
    assert cos.shape == (6, 4)
    torch.testing.assert_close(cos[1], torch.tensor([math.cos(1), math.cos(0.01)] * 2))
    q = torch.randn(1, 1, 1, 4).expand(1, 1, 6, 4)
    k = torch.randn(1, 1, 1, 4).expand(1, 1, 6, 4)
    qr, kr = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    scores = qr[0, 0] @ kr[0, 0].T                     # depends on i - j only
    torch.testing.assert_close(scores[3, 1], scores[5, 3])
    torch.testing.assert_close(qr.norm(dim=-1), q.norm(dim=-1))


def test_repeat_kv_and_model_shapes() -> None:
    x = torch.arange(2.0).view(1, 2, 1, 1)
    assert repeat_kv(x, 3).flatten().tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    torch.manual_seed(0)
    model = Llama(17, 32, 2, 4, 2, 48)
    assert model.layers[0].self_attn.k_proj.weight.shape == (16, 32)
    ids = torch.randint(0, 17, (2, 5))
    logits = model(ids)
    assert logits.shape == (2, 5, 17)
    ids2 = ids.clone()
    ids2[:, -1] = (ids2[:, -1] + 1) % 17
    torch.testing.assert_close(model(ids2)[:, :4], logits[:, :4])
