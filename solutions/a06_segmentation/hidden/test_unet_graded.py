"""Graded: the U-Net's layout, forward pass, size policy and parameter count (part "unet")."""

import math

import pytest
import torch
from unet_oracle import expected_shapes, random_state, reference_forward

from autograder.testing import StudentError, assert_close, part, points


def loaded_unet(student, rng, device, cin, k, base, depth, up):
    sd = random_state(rng, expected_shapes(cin, k, base, depth, up), device)
    model = student.unet.UNet(cin, k, base, depth, up)
    model.double()
    model.load_state_dict(sd)
    model.to(device)
    return model, sd


def _unet_forward_matches_reference(student, rng, device):
    """UNet(3, 4, base=4, depth=2) with loaded weights, both upsampling modes, matches the
    handout's network written functionally (float64; skip first in the concatenation), on a
    16 x 20 input, twice."""
    for up in ("transpose", "bilinear"):
        model, sd = loaded_unet(student, rng, device, 3, 4, 4, 2, up)
        x = torch.as_tensor(rng.standard_normal((2, 3, 16, 20)), device=device)
        want = reference_forward(sd, x, 2, up)
        assert_close(model(x), want, rtol=1e-9, atol=1e-10, name=f"logits ({up})")
        assert_close(model(x), want, rtol=1e-9, atol=1e-10,
                     name=f"logits of a second call ({up})")


def _unet_preserves_size(student, rng, device):
    """Inputs whose sides are not multiples of 2^depth (13 x 19 at depth 2, 10 x 9 at depth 3,
    7 x 1 at depth 1): the logits have the input's size and match the reference (zero padding
    at the bottom and right, then cropping)."""
    for up, depth, size in (("transpose", 2, (13, 19)), ("bilinear", 3, (10, 9)),
                            ("transpose", 1, (7, 1))):
        model, sd = loaded_unet(student, rng, device, 2, 3, 2, depth, up)
        x = torch.as_tensor(rng.standard_normal((1, 2, *size)), device=device)
        got = model(x)
        assert tuple(got.shape) == (1, 3, *size), (
            f"the logits of a {size} input should have its height and width")
        assert_close(got, reference_forward(sd, x, depth, up), rtol=1e-9, atol=1e-10,
                     name=f"logits of a padded {size} input")


def _unet_parameter_shapes_and_errors(student):
    """The parameters of UNet(5, 3, base=6, depth=3) in both modes have exactly the handout's
    names and shapes; depth 0, base 0 and an unknown upsampling mode raise ValueError."""
    for up in ("transpose", "bilinear"):
        model = student.unet.UNet(5, 3, 6, 3, up)
        got = {name: tuple(t.shape) for name, t in model.state_dict().items()}
        assert got == expected_shapes(5, 3, 6, 3, up), (
            f"the state_dict of the {up} U-Net does not have the handout's names and shapes")
    smallest = student.unet.UNet(2, 2, 1, 1, "bilinear")  # base 1 and depth 1 are allowed
    got = {name: tuple(t.shape) for name, t in smallest.state_dict().items()}
    assert got == expected_shapes(2, 2, 1, 1, "bilinear"), "UNet(2, 2, base=1, depth=1) is wrong"
    for args in ((3, 2, 4, 0, "transpose"), (3, 2, 0, 2, "transpose"), (3, 2, 4, 2, "nearest")):
        with pytest.raises(StudentError) as raised:
            student.unet.UNet(*args)
        assert raised.value.type_name == "ValueError", f"UNet{args} should raise ValueError"


def _unet_num_parameters_formula(student):
    """unet_num_parameters matches the parameter count of the handout's layout for several
    channel counts, widths, depths and both modes, and raises ValueError as UNet does."""
    for cin, k, base, depth in ((3, 4, 8, 2), (1, 2, 3, 1), (4, 7, 5, 4), (2, 3, 1, 1)):
        for up in ("transpose", "bilinear"):
            want = sum(math.prod(s) for s in expected_shapes(cin, k, base, depth, up).values())
            got = student.unet.unet_num_parameters(cin, k, base, depth, up)
            assert got == want, f"unet_num_parameters({cin}, {k}, {base}, {depth}, {up!r}) is wrong"
    for args in ((3, 2, 4, 0, "transpose"), (3, 2, 4, 2, "deconv")):
        with pytest.raises(StudentError) as raised:
            student.unet.unet_num_parameters(*args)
        assert raised.value.type_name == "ValueError", (
            f"unet_num_parameters{args} should raise ValueError")


@part("unet")
@points(8)
def test_unet_forward_and_size(student, rng, device):
    """UNet(3, 4, base=4, depth=2) with loaded weights, both upsampling modes, matches the
    handout's network written functionally (float64; skip first in the concatenation), on a 16 x
    20 input, twice. Inputs whose sides are not multiples of 2^depth (13 x 19 at depth 2, 10 x 9
    at depth 3, 7 x 1 at depth 1): the logits have the input's size and match the reference
    (zero padding at the bottom and right, then cropping)."""
    _unet_forward_matches_reference(student, rng, device)
    _unet_preserves_size(student, rng, device)


@part("unet")
@points(7)
def test_unet_layout_and_parameter_count(student):
    """The parameters of UNet(5, 3, base=6, depth=3) in both modes have exactly the handout's
    names and shapes, and so has the smallest, base 1 and depth 1; depth 0, base 0 and an
    unknown upsampling mode raise ValueError. unet_num_parameters matches the parameter count
    of the handout's layout for several channel counts, widths, depths and both modes, and
    raises ValueError as UNet does."""
    _unet_parameter_shapes_and_errors(student)
    _unet_num_parameters_formula(student)
