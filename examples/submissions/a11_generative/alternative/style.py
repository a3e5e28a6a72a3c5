"""Style transfer and AdaIN (alternative submission, written from the handout)."""

import torch
from torch import Tensor, nn


def gram_matrix(features: Tensor) -> Tensor:
    """Gram matrices normalised by C H W."""
    c, h, w = features.shape[1:]
    return torch.einsum("bchw,bdhw->bcd", features, features).div(c * h * w)


def content_loss(features: Tensor, target: Tensor) -> Tensor:
    """Mean squared difference."""
    return torch.nn.functional.mse_loss(features, target)


def style_loss(features: list[Tensor], target_grams: list[Tensor], weights: list[float]) -> Tensor:
    """Weighted summed squared Gram differences."""
    if len(features) != len(target_grams) or len(features) != len(weights):
        raise ValueError("features, target_grams and weights must have the same length")
    terms = [w * (gram_matrix(f) - t).pow(2).sum()
             for f, t, w in zip(features, target_grams, weights, strict=True)]
    return torch.stack(terms).sum()


def tv_loss(image: Tensor) -> Tensor:
    """Squared total variation."""
    return torch.diff(image, dim=-2).pow(2).sum() + torch.diff(image, dim=-1).pow(2).sum()


def adain(content: Tensor, style: Tensor, eps: float = 1e-5) -> Tensor:
    """sigma(s) normalised(c) + mu(s)."""
    def stats(t: Tensor) -> tuple[Tensor, Tensor]:
        flat = t.flatten(2)
        mean = flat.mean(-1)
        var = (flat - mean[..., None]).pow(2).mean(-1)
        return mean[..., None, None], torch.sqrt(var + eps)[..., None, None]

    mc, sc = stats(content)
    ms, ss = stats(style)
    return (content - mc) / sc * ss + ms


def extract_features(net: nn.Sequential, x: Tensor, layers: list[int]) -> list[Tensor]:
    """Outputs of the chosen modules."""
    last = max(layers)
    seen = []
    for module in list(net)[:last + 1]:
        x = module(x)
        seen.append(x)
    return [seen[i] for i in layers]


def stylise(net: nn.Sequential, content: Tensor, style: Tensor, *, content_layer: int,
            style_layers: list[int], style_weights: list[float], content_weight: float = 1.0,
            tv_weight: float = 0.0, steps: int = 100,
            lr: float = 0.05) -> tuple[Tensor, list[float]]:
    """Gatys optimisation of the image with Adam."""
    with torch.no_grad():
        p = extract_features(net, content, [content_layer])[0]
        grams = [gram_matrix(f) for f in extract_features(net, style, style_layers)]
    x = nn.Parameter(content.clone())
    opt = torch.optim.Adam([x], lr=lr)
    losses = []
    for _ in range(steps):
        fc = extract_features(net, x, [content_layer])[0]
        fs = extract_features(net, x, style_layers)
        total = content_loss(fc, p) * content_weight + style_loss(fs, grams, style_weights)
        if tv_weight:
            total = total + tv_weight * tv_loss(x)
        losses.append(float(total))
        opt.zero_grad()
        total.backward()
        opt.step()
    return x.detach().clone(), losses
