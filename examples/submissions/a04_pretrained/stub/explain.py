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
    raise NotImplementedError('implement saliency in explain.py')


def grad_cam(model: nn.Module, layer: str, x: torch.Tensor, target: torch.Tensor
             ) -> torch.Tensor:
    """Grad-CAM maps (N, H, W) in [0, 1] at the submodule named ``layer`` (a name of
    ``model.named_modules()``, e.g. "layer4"), as above, for images x (N, C, H, W) and classes
    target (N,). Eval mode, the training flag restored, x and the parameters' gradients left
    as they were, no hook left on the model. Raises KeyError for an unknown layer."""
    raise NotImplementedError('implement grad_cam in explain.py')
