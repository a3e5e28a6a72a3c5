"""The handout's U-Net written functionally in the test: its state_dict shapes, random
weights for it, and its float64 forward pass (the oracle of the unet and training parts)."""

import math

import numpy as np
import torch
import torch.nn.functional as F


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
