"""GPT shapes, causality, weight tying and the loss on hand-checkable inputs."""

import math

import torch
from gpt import GPT, CausalSelfAttention, lm_loss


def test_attention_shapes_and_causality() -> None:
    torch.manual_seed(0)
    attn = CausalSelfAttention(16, 4)
    x = torch.randn(2, 6, 16)
    y, (k, v) = attn(x)
    assert y.shape == (2, 6, 16) and k.shape == (2, 4, 6, 4) and v.shape == (2, 4, 6, 4)
    x2 = x.clone()
    x2[:, 4:] += 1.0                                   # change the future only
    torch.testing.assert_close(attn(x2)[0][:, :4], y[:, :4])


def test_gpt_logits_tying_and_init() -> None:
    torch.manual_seed(0)
    model = GPT(13, 10, 16, 2, 4)
    assert model(torch.zeros(3, 7, dtype=torch.long)).shape == (3, 7, 13)
    assert model.lm_head.weight is model.wte.weight
    assert "lm_head.weight" not in dict(model.named_parameters())
    assert abs(model.wte.weight.std().item() - 0.02) < 0.005
    assert (model.h[0].attn.c_attn.bias == 0).all()
    assert model.h[1].mlp.c_proj.weight.std().item() < 0.015    # 0.02 / sqrt(2 L) = 0.01


def test_lm_loss_of_uniform_logits_is_log_v() -> None:
    labels = torch.tensor([[1, 2, 3, 4]])
    loss = lm_loss(torch.zeros(1, 4, 9), labels)
    assert abs(loss.item() - math.log(9)) < 1e-6
    logits = torch.zeros(1, 3, 5)
    logits[0, 0, 2] = 20.0                              # position 0 predicts label[1] = 2
    labels = torch.tensor([[0, 2, -100]])
    assert lm_loss(logits, labels).item() < 1e-6
