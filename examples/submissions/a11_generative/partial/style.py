"""Neural style transfer (Gatys et al. 2016) and adaptive instance normalisation (Huang &
Belongie 2017).

For features F (B, C, H, W) of a network layer, the Gram matrix is normalised by the number of
entries of one feature map stack:

    G_{b,ij} = 1/(C H W) sum_{h,w} F_{b,i,hw} F_{b,j,hw}                     (B, C, C)

    content loss  = mean_{b,c,h,w} (F - P)^2                          (P: the content features)
    style loss    = sum_l w_l * sum_{b,i,j} (G^l - A^l)^2             (A^l: the style Grams)
    TV loss       = sum (x[..., i+1, j] - x[..., i, j])^2 + sum (x[..., i, j+1] - x[..., i, j])^2

AdaIN(c, s) = sigma(s) (c - mu(c)) / sigma(c) + mu(s), with mu and sigma the per-example,
per-channel mean and standard deviation over H and W, sigma = sqrt(biased variance + eps).
"""

import torch
from torch import Tensor, nn


def gram_matrix(features: Tensor) -> Tensor:
    """The normalised Gram matrices (B, C, C) of features (B, C, H, W)."""
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)


def content_loss(features: Tensor, target: Tensor) -> Tensor:
    """The mean squared difference of two feature tensors of equal shape, a scalar."""
    return ((features - target) ** 2).mean()


def style_loss(features: list[Tensor], target_grams: list[Tensor], weights: list[float]) -> Tensor:
    """sum_l weights[l] * sum (gram_matrix(features[l]) - target_grams[l])^2, a scalar. Raises
    ValueError when the three lists differ in length."""
    if not len(features) == len(target_grams) == len(weights):
        raise ValueError("one target Gram and one weight per feature layer")
    total = features[0].new_zeros(())
    for f, a, w in zip(features, target_grams, weights, strict=True):
        total = total + w * ((gram_matrix(f) - a) ** 2).sum()
    return total


def tv_loss(image: Tensor) -> Tensor:
    """The squared total variation of images (B, C, H, W), summed over everything, a scalar."""
    dh = image[:, :, 1:, :] - image[:, :, :-1, :]
    dw = image[:, :, :, 1:] - image[:, :, :, :-1]
    return (dh ** 2).sum() + (dw ** 2).sum()


def adain(content: Tensor, style: Tensor, eps: float = 1e-5) -> Tensor:
    """AdaIN of content features (B, C, H, W) with style features (B, C, H', W')."""
    raise NotImplementedError('implement adain in style.py')


def extract_features(net: nn.Sequential, x: Tensor, layers: list[int]) -> list[Tensor]:
    """The outputs of the modules ``net[i]`` for i in ``layers`` (in that order) when x runs
    through ``net`` once, stopping after the last one needed."""
    out: dict[int, Tensor] = {}
    h = x
    for i, module in enumerate(net):
        if i > max(layers):
            break
        h = module(h)
        if i in layers:
            out[i] = h
    return [out[i] for i in layers]


def stylise(net: nn.Sequential, content: Tensor, style: Tensor, *, content_layer: int,
            style_layers: list[int], style_weights: list[float], content_weight: float = 1.0,
            tv_weight: float = 0.0, steps: int = 100,
            lr: float = 0.05) -> tuple[Tensor, list[float]]:
    """Gatys optimisation: start from a copy of the content image (B, C, H, W) and minimise
    content_weight * content_loss + style_loss + tv_weight * tv_loss with Adam(lr) on the image
    for ``steps`` steps; targets are computed once, without gradients. Returns the detached
    image and the total loss before every step."""
    with torch.no_grad():
        target_c = extract_features(net, content, [content_layer])[0]
        target_g = [gram_matrix(f) for f in extract_features(net, style, style_layers)]
    image = content.detach().clone().requires_grad_(True)
    opt = torch.optim.Adam([image], lr=lr)
    history = []
    for _ in range(steps):
        feats = extract_features(net, image, [content_layer, *style_layers])
        loss = (content_weight * content_loss(feats[0], target_c)
                + style_loss(feats[1:], target_g, style_weights) + tv_weight * tv_loss(image))
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return image.detach(), history
