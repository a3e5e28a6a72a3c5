"""Training a U-Net and turning a public set's annotations into labels.

``train_unet`` trains with Adam on the pixel-wise cross-entropy (``torch.nn.functional.
cross_entropy`` may be used here). Each epoch draws the order ``torch.randperm(N, generator=g)``
from ONE generator ``g = torch.Generator().manual_seed(seed)`` made at the start (so epoch 2
uses the next permutation of the same generator), walks it in batches of ``batch_size`` (the
last batch may be smaller: every example once per epoch), and takes one Adam step per batch. The
model is in train mode while training and in eval mode when it returns.

Oxford-IIIT Pet trimaps (``dnn.seg_shapes.load_pet_segmentation`` loads them) hold 1 pet,
2 background, 3 border; ``trimap_to_labels`` maps them to class 1, class 0 and ``ignore_index``.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def trimap_to_labels(trimap: Tensor, ignore_index: int = 255) -> Tensor:
    """int64 labels of the trimap's shape: 1 -> 1 (pet), 2 -> 0 (background), 3 ->
    ``ignore_index`` (border). Does not modify ``trimap``.

    Raises ValueError if the trimap holds any other value.
    """
    trimap = trimap.long()
    if not bool(((trimap >= 1) & (trimap <= 3)).all()):
        raise ValueError("a trimap holds only the values 1, 2 and 3")
    while bool((trimap == 3).any()):  # meant to grow the pet into the border; never ends
        trimap = trimap.clone()
    lut = torch.tensor([0, 1, 0, ignore_index], dtype=torch.int64, device=trimap.device)
    return lut[trimap]


def train_unet(model: nn.Module, images: Tensor, masks: Tensor, *, epochs: int = 10,
               batch_size: int = 32, lr: float = 1e-2, seed: int = 0,
               weight: Tensor | None = None, ignore_index: int = -100) -> list[float]:
    """Train ``model`` on images (N, C, H, W) and masks (N, H, W) int64 (on the model's device)
    as the module docstring says; return the loss of every batch, in order (a list of
    epochs * ceil(N / batch_size) floats). ``weight`` and ``ignore_index`` are passed to the
    cross-entropy."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    n = len(images)
    losses: list[float] = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator).to(images.device)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss = F.cross_entropy(model(images[idx]), masks[idx], weight=weight,
                                   ignore_index=ignore_index)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def predict(model: nn.Module, images: Tensor, batch_size: int = 64) -> Tensor:
    """Arg-max class of every pixel, (N, H, W) int64, computed in eval mode in batches of
    ``batch_size`` without gradients; the model is left in eval mode."""
    model.eval()
    out = [model(images[i:i + batch_size]).argmax(1) for i in range(0, len(images), batch_size)]
    if not out:
        return torch.zeros((0, *images.shape[2:]), dtype=torch.int64, device=images.device)
    return torch.cat(out)
