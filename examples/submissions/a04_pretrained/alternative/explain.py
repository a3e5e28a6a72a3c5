"""Saliency and Grad-CAM (independent write-up)."""

from __future__ import annotations

import torch
from torch import nn


def _selected_scores(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    mask = nn.functional.one_hot(target.to(logits.device).long(), logits.shape[1])
    return (logits * mask.to(logits.dtype)).sum()


def saliency(model: nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    mode = model.training
    model.eval()
    image = x.detach().clone()
    image.requires_grad = True
    logits = model(image)
    grads = torch.autograd.grad(_selected_scores(logits, target), [image])[0]
    model.train(mode)
    return grads.abs().max(dim=1).values


def grad_cam(model: nn.Module, layer: str, x: torch.Tensor, target: torch.Tensor
             ) -> torch.Tensor:
    modules = dict(model.named_modules())
    if layer not in modules:
        raise KeyError(layer)
    store: dict[str, torch.Tensor] = {}

    def keep(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        store["a"] = output

    hook = modules[layer].register_forward_hook(keep)
    mode = model.training
    model.eval()
    try:
        logits = model(x.detach())
    finally:
        hook.remove()
        model.train(mode)
    acts = store["a"]
    grads = torch.autograd.grad(_selected_scores(logits, target), [acts])[0]
    weights = grads.mean(dim=(-2, -1))  # (N, K)
    cam = torch.einsum("nk,nkhw->nhw", weights, acts).clamp(min=0).detach()
    cam = nn.functional.interpolate(cam[:, None], size=tuple(x.shape[-2:]), mode="bilinear",
                                    align_corners=False).squeeze(1)
    peak = cam.amax(dim=(-2, -1), keepdim=True)
    safe = torch.where(peak > 0, peak, torch.ones_like(peak))
    return torch.where(peak > 0, cam / safe, torch.zeros_like(cam))
