"""What the network looks at: saliency maps and Grad-CAM.

Both explain the logit s_c = model(x)[n, c] of a chosen class c for each image n, with the
model in eval mode (so the images of a batch do not interact and batch norm is fixed).

**Saliency** (Simonyan et al., 2014): how much each pixel moves the score,

    S[n, i, j] = max_ch | d s_c / d x[n, ch, i, j] |

**Grad-CAM** (Selvaraju et al., 2017) at a convolutional layer with output A (N, K, h, w):

    alpha[n, k] = mean_{i, j} d s_c / d A[n, k, i, j]             (one weight per channel)
    cam[n]      = relu( sum_k alpha[n, k] A[n, k] )                 (h, w)

then upsampled to the input's H x W (bilinear, align_corners=False) and divided by its maximum
(a map whose maximum is 0 stays all zeros), so every map lies in [0, 1].
"""

from __future__ import annotations

import torch
from torch import nn


def saliency(model: nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """S (N, H, W) for images x (N, C, H, W) and classes target (N,) (int64), as above. The
    model runs in eval mode (its training flag is restored afterwards); x is not modified, and
    no gradient is left in the model's parameters (their .grad is as before the call)."""
    was_training = model.training
    model.eval()
    saved = [p.grad for p in model.parameters()]
    x = x.detach().clone().requires_grad_(True)
    scores = model(x).gather(1, target.view(-1, 1).to(x.device)).sum()
    (grad,) = torch.autograd.grad(scores, x)
    for p, g in zip(model.parameters(), saved, strict=True):
        p.grad = g
    model.train(was_training)
    return grad.abs().amax(dim=1)


def grad_cam(model: nn.Module, layer: str, x: torch.Tensor, target: torch.Tensor
             ) -> torch.Tensor:
    """Grad-CAM maps (N, H, W) in [0, 1] at the submodule named ``layer`` (a name of
    ``model.named_modules()``, e.g. "layer4"), as above, for images x (N, C, H, W) and classes
    target (N,). Eval mode, the training flag restored, x and the parameters' gradients left
    as they were, no hook left on the model. Raises KeyError for an unknown layer."""
    module = dict(model.named_modules())[layer]
    captured: list[torch.Tensor] = []
    handle = module.register_forward_hook(lambda m, inputs, output: captured.append(output))
    was_training = model.training
    model.eval()
    try:
        scores = model(x.detach()).gather(1, target.view(-1, 1).to(x.device)).sum()
    finally:
        handle.remove()
        model.train(was_training)
    activation = captured[0]
    (grad,) = torch.autograd.grad(scores, activation)
    alpha = grad.mean(dim=(2, 3), keepdim=True)  # (N, K, 1, 1)
    cam = torch.relu((alpha * activation).sum(dim=1, keepdim=True)).detach()
    cam = nn.functional.interpolate(cam, size=x.shape[-2:], mode="bilinear",
                                    align_corners=False)[:, 0]
    top = cam.flatten(1).amax(dim=1).view(-1, 1, 1)
    return torch.where(top > 0, cam / top.clamp_min(torch.finfo(cam.dtype).tiny), 0.0)
