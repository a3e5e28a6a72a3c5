"""Graded: the U-Net's layout, forward pass, size policy and parameter count (part "unet")."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points


def expected_shapes(cin: int, k: int, base: int, depth: int, up: str) -> dict[str, tuple]:
    """The state_dict of the handout's layout: name -> shape."""
    ch = [base * 2**i for i in range(depth + 1)]
    shapes: dict[str, tuple] = {}

    def dc(prefix: str, a: int, b: int) -> None:
        shapes.update({f"{prefix}.0.weight": (b, a, 3, 3), f"{prefix}.0.bias": (b,),
                       f"{prefix}.2.weight": (b, b, 3, 3), f"{prefix}.2.bias": (b,)})

    dc("encoders.0", cin, ch[0])
    for i in range(1, depth + 1):
        dc(f"encoders.{i}", ch[i - 1], ch[i])
    for j, i in enumerate(range(depth, 0, -1)):
        if up == "transpose":
            shapes.update({f"ups.{j}.weight": (ch[i], ch[i - 1], 2, 2),
                           f"ups.{j}.bias": (ch[i - 1],)})
        else:
            shapes.update({f"ups.{j}.1.weight": (ch[i - 1], ch[i], 1, 1),
                           f"ups.{j}.1.bias": (ch[i - 1],)})
        dc(f"decoders.{j}", 2 * ch[i - 1], ch[i - 1])
    shapes.update({"head.weight": (k, ch[0], 1, 1), "head.bias": (k,)})
    return shapes


def random_state(rng: np.random.Generator, shapes: dict[str, tuple], device: str
                 ) -> dict[str, torch.Tensor]:
    out = {}
    for name, shape in shapes.items():
        fan_in = math.prod(shape[1:]) if len(shape) > 1 else 4
        out[name] = torch.as_tensor(rng.standard_normal(shape) / math.sqrt(fan_in),
                                    device=device)
    return out


def reference_forward(sd: dict[str, torch.Tensor], x: torch.Tensor, depth: int, up: str
                      ) -> torch.Tensor:
    """The handout's U-Net, functionally, in float64: pad bottom/right, crop back."""
    def dc(prefix: str, h: torch.Tensor) -> torch.Tensor:
        h = F.relu(F.conv2d(h, sd[f"{prefix}.0.weight"], sd[f"{prefix}.0.bias"], padding=1))
        return F.relu(F.conv2d(h, sd[f"{prefix}.2.weight"], sd[f"{prefix}.2.bias"], padding=1))

    height, width = x.shape[-2:]
    m = 2**depth
    h = F.pad(x, (0, (m - width % m) % m, 0, (m - height % m) % m))
    skips = []
    for i in range(depth + 1):
        h = dc(f"encoders.{i}", h)
        if i < depth:
            skips.append(h)
            h = F.max_pool2d(h, 2)
    for j in range(depth):
        if up == "transpose":
            u = F.conv_transpose2d(h, sd[f"ups.{j}.weight"], sd[f"ups.{j}.bias"], stride=2)
        else:
            u = F.interpolate(h, scale_factor=2, mode="bilinear", align_corners=False)
            u = F.conv2d(u, sd[f"ups.{j}.1.weight"], sd[f"ups.{j}.1.bias"])
        h = dc(f"decoders.{j}", torch.cat([skips[-1 - j], u], dim=1))
    return F.conv2d(h, sd["head.weight"], sd["head.bias"])[..., :height, :width]


def loaded_unet(student, rng, device, cin, k, base, depth, up):
    sd = random_state(rng, expected_shapes(cin, k, base, depth, up), device)
    model = student.unet.UNet(cin, k, base, depth, up)
    model.double()
    model.load_state_dict(sd)
    model.to(device)
    return model, sd


@part("unet")
@points(5)
def test_unet_forward_matches_reference(student, rng, device):
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


@part("unet")
@points(3)
def test_unet_preserves_size(student, rng, device):
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


@part("unet")
@points(3)
def test_unet_parameter_shapes_and_errors(student):
    """The parameters of UNet(5, 3, base=6, depth=3) in both modes have exactly the handout's
    names and shapes; depth 0, base 0 and an unknown upsampling mode raise ValueError."""
    for up in ("transpose", "bilinear"):
        model = student.unet.UNet(5, 3, 6, 3, up)
        got = {name: tuple(t.shape) for name, t in model.state_dict().items()}
        assert got == expected_shapes(5, 3, 6, 3, up), (
            f"the state_dict of the {up} U-Net does not have the handout's names and shapes")
    for args in ((3, 2, 4, 0, "transpose"), (3, 2, 0, 2, "transpose"), (3, 2, 4, 2, "nearest")):
        with pytest.raises(StudentError) as raised:
            student.unet.UNet(*args)
        assert raised.value.type_name == "ValueError", f"UNet{args} should raise ValueError"


@part("unet")
@points(4)
def test_unet_num_parameters_formula(student):
    """unet_num_parameters matches the parameter count of the handout's layout for several
    channel counts, widths, depths and both modes, and raises ValueError as UNet does."""
    for cin, k, base, depth in ((3, 4, 8, 2), (1, 2, 3, 1), (4, 7, 5, 4)):
        for up in ("transpose", "bilinear"):
            want = sum(math.prod(s) for s in expected_shapes(cin, k, base, depth, up).values())
            got = student.unet.unet_num_parameters(cin, k, base, depth, up)
            assert got == want, f"unet_num_parameters({cin}, {k}, {base}, {depth}, {up!r}) is wrong"
    for args in ((3, 2, 4, 0, "transpose"), (3, 2, 4, 2, "deconv")):
        with pytest.raises(StudentError) as raised:
            student.unet.unet_num_parameters(*args)
        assert raised.value.type_name == "ValueError", (
            f"unet_num_parameters{args} should raise ValueError")
