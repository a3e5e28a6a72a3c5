"""Box coding against torchvision's BoxCoder."""

import torch
from box_coding import decode, encode
from torchvision.models.detection._utils import BoxCoder


def boxes(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g, dtype=torch.float64) * 50
    return torch.cat([xy, xy + 1 + torch.rand(n, 2, generator=g, dtype=torch.float64) * 20], 1)


def test_encode_decode_match_torchvision() -> None:
    gt, anchors = boxes(8, 0), boxes(8, 1)
    weights = (10.0, 10.0, 5.0, 5.0)
    coder = BoxCoder(weights)
    torch.testing.assert_close(encode(gt, anchors, weights), coder.encode_single(gt, anchors))
    codes = torch.randn(8, 4, dtype=torch.float64) * 3
    codes[0, 2] = 100.0  # far beyond the clip
    torch.testing.assert_close(decode(codes, anchors, weights), coder.decode_single(codes, anchors))
