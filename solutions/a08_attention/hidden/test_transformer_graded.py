"""Graded: encoder and decoder layers and the encoder-decoder against nn.TransformerEncoderLayer,
nn.TransformerDecoderLayer and nn.Transformer with copied weights, float64 (part "blocks",
20 points)."""

import warnings

import numpy as np
import torch

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-9, "atol": 1e-10}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def pair(student, name: str, device: str, *args, **kw):
    """(torch's module, the student's with the same random weights), float64, eval mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note that norm_first disables nested tensors
        ref = getattr(torch.nn, name)(*args, **kw).double().eval()
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(torch.randn_like(p) * 0.3)  # nonzero biases, non-unit norm weights
    mine = getattr(student.transformer, name)(*args, **kw).double().to(device)
    mine.load_state_dict(ref.state_dict())
    mine.eval()
    return ref, mine


def on(device: str, kw: dict) -> dict:
    return {n: (x.to(device) if torch.is_tensor(x) else x) for n, x in kw.items()}


def padding(rng: np.random.Generator, n: int, s: int) -> torch.Tensor:
    """(n, s) True at the padded tail of each row; every row keeps at least 2 positions."""
    lengths = rng.integers(2, s + 1, size=n)
    return torch.arange(s)[None, :] >= torch.from_numpy(lengths)[:, None]


def seq(rng, t: int, n: int, e: int, batch_first: bool) -> torch.Tensor:
    x = randn(rng, t, n, e)
    return x.transpose(0, 1).contiguous() if batch_first else x


def causal(t: int) -> torch.Tensor:
    return torch.nn.Transformer.generate_square_subsequent_mask(t, dtype=torch.float64)


@part("blocks")
@points(5)
def test_encoder_layer_matches_torch(student, rng, device):
    """TransformerEncoderLayer matches torch's: post-LN and pre-LN, relu and gelu, batch_first or
    not, with a causal mask and a key padding mask."""
    for norm_first, act, bf in ((False, "relu", False), (True, "gelu", True),
                                (False, "gelu", True), (True, "relu", False)):
        ref, mine = pair(student, "TransformerEncoderLayer", device, 8, 2, 16, dropout=0.1,
                         activation=act, batch_first=bf, norm_first=norm_first)
        src = seq(rng, 5, 3, 8, bf)
        name = f"norm_first={norm_first}, {act}, batch_first={bf}"
        assert_close(mine(src.to(device)), ref(src).detach(), **TOL, name=name)
        kw = {"src_mask": causal(5), "src_key_padding_mask": padding(rng, 3, 5)}
        assert_close(mine(src.to(device), **on(device, kw)), ref(src, **kw).detach(), **TOL,
                     name=f"{name}, masked")


@part("blocks")
@points(5)
def test_decoder_layer_matches_torch(student, rng, device):
    """TransformerDecoderLayer matches torch's, post-LN and pre-LN: causal self-attention, target
    and memory padding masks, a memory mask, S != T."""
    for norm_first, bf in ((False, False), (True, True), (True, False)):
        ref, mine = pair(student, "TransformerDecoderLayer", device, 8, 4, 12, dropout=0.1,
                         batch_first=bf, norm_first=norm_first)
        tgt, memory = seq(rng, 4, 3, 8, bf), seq(rng, 6, 3, 8, bf)
        name = f"norm_first={norm_first}, batch_first={bf}"
        got = mine(tgt.to(device), memory.to(device))
        assert_close(got, ref(tgt, memory).detach(), **TOL, name=name)
        memory_mask = torch.from_numpy(rng.random((4, 6)) < 0.3)
        memory_mask[:, 0] = False
        kw = {"tgt_mask": causal(4), "memory_mask": memory_mask,
              "tgt_key_padding_mask": padding(rng, 3, 4),
              "memory_key_padding_mask": padding(rng, 3, 6)}
        got = mine(tgt.to(device), memory.to(device), **on(device, kw))
        assert_close(got, ref(tgt, memory, **kw).detach(), **TOL, name=f"{name}, masked")


@part("blocks")
@points(4)
def test_transformer_matches_torch(student, rng, device):
    """Transformer (2 encoder and 2 decoder layers, final norms) matches nn.Transformer with
    source, target and padding masks, post-LN and pre-LN."""
    for norm_first, bf in ((False, True), (True, False)):
        ref, mine = pair(student, "Transformer", device, 8, 2, 2, 2, 16, dropout=0.1,
                         batch_first=bf, norm_first=norm_first)
        src, tgt = seq(rng, 6, 2, 8, bf), seq(rng, 5, 2, 8, bf)
        src_pad = padding(rng, 2, 6)
        kw = {"tgt_mask": causal(5), "src_key_padding_mask": src_pad,
              "tgt_key_padding_mask": padding(rng, 2, 5), "memory_key_padding_mask": src_pad}
        name = f"Transformer norm_first={norm_first}, batch_first={bf}"
        got = mine(src.to(device), tgt.to(device), **on(device, kw))
        assert_close(got, ref(src, tgt, **kw).detach(), **TOL, name=name)
        enc = mine.encoder(src.to(device), src_key_padding_mask=src_pad.to(device))
        want = ref.encoder(src, src_key_padding_mask=src_pad)
        keep = ~src_pad if bf else ~src_pad.T  # torch may zero padded positions here
        assert_close(enc.cpu()[keep], want.detach()[keep], **TOL, name=f"{name}, the encoder")


@part("blocks")
@points(1)
def test_causal_mask(student, device):
    """causal_mask equals nn.Transformer.generate_square_subsequent_mask (0 / -inf above)."""
    for size in (1, 4, 9):
        got = student.transformer.causal_mask(size, device)
        want = torch.nn.Transformer.generate_square_subsequent_mask(size)
        assert str(got.device).startswith(device), "the mask is made on the given device"
        assert got.dtype == torch.float32 and torch.equal(got.cpu(), want), (
            f"causal_mask({size}) differs")


@part("blocks")
@points(3)
def test_block_gradients(student, rng, device):
    """Autograd through the encoder and decoder layers gives torch's gradients for the inputs and
    every parameter (pre-LN and post-LN)."""
    autograd = student.lib("dnn.autograd")
    for name, norm_first in (("TransformerEncoderLayer", True),
                             ("TransformerDecoderLayer", False)):
        ref, mine = pair(student, name, device, 8, 2, 16, dropout=0.0, batch_first=True,
                         norm_first=norm_first)
        inputs = [randn(rng, 2, 4, 8)] + ([randn(rng, 2, 5, 8)] if "Decoder" in name else [])
        up = randn(rng, 2, 4, 8)
        got = autograd.gradients(mine, [x.to(device) for x in inputs], up.to(device))
        leaves = [x.clone().requires_grad_(True) for x in inputs]
        (ref(*leaves) * up).sum().backward()
        want = {f"input{i}": x.grad for i, x in enumerate(leaves)}
        want.update({n: p.grad for n, p in ref.named_parameters()})
        assert isinstance(got, dict) and set(got) == set(want), (
            f"{name}: gradients should reach the inputs and every parameter")
        for key, value in want.items():
            assert_close(got[key], value, **TOL, name=f"{name} d/d{key}")


@part("blocks")
@points(2)
def test_dropout_follows_the_mode(student, rng, device):
    """With dropout 0.3 an encoder layer is deterministic in eval mode (and matches torch) and
    random in train mode."""
    ref, mine = pair(student, "TransformerEncoderLayer", device, 8, 2, 16, dropout=0.3,
                     batch_first=True)
    src = randn(rng, 2, 5, 8).to(device)
    assert_close(mine(src), ref(src.cpu()).detach(), **TOL, name="eval mode")
    mine.train()
    a, b = mine(src), mine(src)
    assert not torch.allclose(a, b), "train mode: two calls give the same output (no dropout)"
    mine.eval()
    assert_close(mine(src), ref(src.cpu()).detach(), **TOL, name="eval mode again")
