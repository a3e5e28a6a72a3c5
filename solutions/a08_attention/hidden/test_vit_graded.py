"""Graded: patch embeddings and the Vision Transformer against torchvision's VisionTransformer
with copied weights, float64, and a tiny ViT trained on digits (part "vit", 15 points)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torchvision.models import VisionTransformer
from torchvision.models.vision_transformer import Encoder, EncoderBlock

from autograder.testing import StudentError, assert_close, part, points
from dnn.data import load_digits

torch.set_num_threads(1)  # tiny ops: threads only add overhead in the judge process
TOL = {"rtol": 1e-9, "atol": 1e-10}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def randomise(module: torch.nn.Module) -> torch.nn.Module:
    """float64, eval, every parameter redrawn N(0, 0.3^2): a nonzero class token and biases."""
    module = module.double().eval()
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0, 0.3)
    return module


@part("vit")
@points(2)
def test_patchify(student, rng, device):
    """patchify equals F.unfold's patches (row-major, each flattened (C, p, p)) as (B, N, C p p)
    and rejects sizes that are not a multiple of the patch."""
    for shape, p in (((2, 3, 8, 8), 4), ((1, 2, 6, 9), 3), ((3, 1, 4, 4), 1)):
        x = randn(rng, *shape)
        want = F.unfold(x, kernel_size=p, stride=p).transpose(1, 2)
        got = student.vit.patchify(x.to(device), p)
        assert_close(got, want, rtol=0, atol=0, name=f"patchify {shape}, p={p}")
    with pytest.raises(StudentError, match="ValueError"):
        student.vit.patchify(randn(rng, 1, 3, 8, 6).to(device), 4)


@part("vit")
@points(2)
def test_patch_embeddings(student, rng, device):
    """patch_embed_unfold and patch_embed_conv both equal a stride-p F.conv2d, flattened to
    (B, N, D), with and without bias."""
    for (b, c, h, w), p, d in (((2, 3, 8, 8), 4, 5), ((1, 1, 6, 4), 2, 3)):
        x, weight, bias = randn(rng, b, c, h, w), randn(rng, d, c, p, p), randn(rng, d)
        for use_bias in (True, False):
            want = F.conv2d(x, weight, bias if use_bias else None, stride=p)
            want = want.flatten(2).transpose(1, 2)
            for name in ("patch_embed_unfold", "patch_embed_conv"):
                got = getattr(student.vit, name)(x.to(device), weight.to(device),
                                                 bias.to(device) if use_bias else None)
                assert_close(got, want, **TOL, name=f"{name} (bias={use_bias})")


@part("vit")
@points(2)
def test_encoder_block_and_encoder(student, rng, device):
    """EncoderBlock and Encoder match torchvision's (pre-LN, eps 1e-6, GELU MLP, position
    embeddings added before the layers, a final LayerNorm)."""
    ref = randomise(EncoderBlock(2, 8, 16, 0.0, 0.0, norm_layer=_ln))
    mine = student.vit.EncoderBlock(2, 8, 16).double().to(device)
    mine.load_state_dict(ref.state_dict())
    x = randn(rng, 3, 5, 8)
    assert_close(mine.eval()(x.to(device)), ref(x).detach(), **TOL, name="EncoderBlock")
    ref = randomise(Encoder(5, 2, 2, 8, 16, 0.0, 0.0, norm_layer=_ln))
    mine = student.vit.Encoder(5, 2, 2, 8, 16).double().to(device)
    mine.load_state_dict(ref.state_dict())
    assert_close(mine.eval()(x.to(device)), ref(x).detach(), **TOL, name="Encoder")


def _ln(dim: int) -> torch.nn.LayerNorm:
    return torch.nn.LayerNorm(dim, eps=1e-6)  # torchvision's ViT norm


@part("vit")
@points(4)
def test_vit_matches_torchvision(student, rng, device):
    """VisionTransformer loads torchvision.models.VisionTransformer's state_dict (tiny configs)
    and gives the same logits."""
    for size, patch, layers, heads, hidden, mlp, classes in ((8, 4, 2, 2, 16, 32, 10),
                                                             (12, 3, 1, 3, 12, 20, 4)):
        ref = randomise(VisionTransformer(size, patch, layers, heads, hidden, mlp,
                                          num_classes=classes))
        mine = student.vit.VisionTransformer(size, patch, layers, heads, hidden, mlp, classes)
        mine = mine.double().to(device)
        mine.load_state_dict(ref.state_dict())
        x = randn(rng, 3, 3, size, size)
        assert_close(mine.eval()(x.to(device)), ref(x).detach(), **TOL,
                     name=f"logits ({size}x{size}, patch {patch})")


@part("vit")
@points(2)
def test_vit_gradients(student, rng, device):
    """Autograd through the student's ViT gives torchvision's gradients for the images and every
    parameter (class token and position embeddings included)."""
    ref = randomise(VisionTransformer(8, 4, 1, 2, 8, 16, num_classes=3))
    mine = student.vit.VisionTransformer(8, 4, 1, 2, 8, 16, 3).double().to(device)
    mine.load_state_dict(ref.state_dict())
    mine.eval()
    x, up = randn(rng, 2, 3, 8, 8), randn(rng, 2, 3)
    got = student.lib("dnn.autograd").gradients(mine, [x.to(device)], up.to(device))
    leaf = x.clone().requires_grad_(True)
    (ref(leaf) * up).sum().backward()
    want = {"input0": leaf.grad, **{n: p.grad for n, p in ref.named_parameters()}}
    assert isinstance(got, dict) and set(got) == set(want), (
        "gradients should reach the images and every parameter")
    for key, value in want.items():
        assert_close(got[key], value, **TOL, name=f"d/d{key}")


@part("vit")
@points(3)
def test_vit_learns_digits(student, reference):
    """train_vit with its defaults (seed 0) on the digits training split returns the documented
    architecture and classifies at least 85% of the test split correctly through predict (the
    solution: about 93%)."""
    data = load_digits(flatten=False)
    model = student.vit.train_vit(data["train"].x, data["train"].y, seed=0)
    documented = reference.vit.VisionTransformer(8, 4, 1, 4, 32, 64, 10, in_channels=1)
    want = {name: tuple(t.shape) for name, t in documented.state_dict().items()}
    got = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    assert got == want, ("train_vit's model is not VisionTransformer(image_size=8, patch_size=4, "
                         "num_layers=1, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=10)")
    pred = student.vit.predict(model, data["test"].x)  # the labels stay on this side
    assert isinstance(pred, np.ndarray) and pred.shape == data["test"].y.shape, (
        "predict returns one class id per image")
    accuracy = float((pred == data["test"].y).mean())
    assert accuracy >= 0.85, f"test accuracy {accuracy:.1%} is below 85%"
