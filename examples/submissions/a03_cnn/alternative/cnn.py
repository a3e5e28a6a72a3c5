"""A small convolutional network in PyTorch, data augmentation, training and prediction.

Images are float arrays or tensors of shape (N, C, H, W), channels first (``dnn.data`` and
``dnn.shapes`` give them so); labels are integers in [0, num_classes).
"""

from collections import OrderedDict

import numpy as np
import torch
from torch import nn


def augment(x: torch.Tensor, *, max_shift: int = 1, flip: bool = False, seed: int = 0
            ) -> torch.Tensor:
    """A randomly translated (and, if ``flip``, mirrored) copy of every image of a batch.

    Each image n gets its own integer shift (dy_n, dx_n), each drawn uniformly from
    {-max_shift, ..., max_shift}, and moves by it with zeros filling what comes in:

        out[n, c, i, j] = x[n, c, i - dy_n, j - dx_n]   (0 where that index is outside)

    With ``flip``, each image is then mirrored left-right with probability 1/2. The draws come
    from ``torch.Generator().manual_seed(seed)`` (never the global generator), so the same
    seed gives the same batch. max_shift = 0 without flip returns an unchanged copy.

    Args:
        x: (N, C, H, W).

    Returns:
        (N, C, H, W), the dtype and device of x; x itself is not modified.
    """
    n, _, h, w = x.shape
    generator = torch.Generator().manual_seed(seed)
    dy = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator).to(x.device)
    # Gather: output pixel (i, j) of image n reads source pixel (i - dy_n, j - dx_n); sources
    # outside the image are clamped for the read and then replaced by zeros.
    src_rows = torch.arange(h, device=x.device)[None, :] - dy[:, None]  # (N, H)
    src_cols = torch.arange(w, device=x.device)[None, :] - dx[:, None]  # (N, W)
    if flip:
        mirror = torch.randint(0, 2, (n,), generator=generator).to(x.device).bool()
        # mirroring after the shift reads output column j from column W - 1 - j
        src_cols = torch.where(mirror[:, None], src_cols.flip(1), src_cols)
    valid = (((src_rows >= 0) & (src_rows < h))[:, :, None]
             & ((src_cols >= 0) & (src_cols < w))[:, None, :])  # (N, H, W)
    images = torch.arange(n, device=x.device)[:, None, None]
    picked = x[images, :, src_rows.clamp(0, h - 1)[:, :, None],
               src_cols.clamp(0, w - 1)[:, None, :]]  # (N, H, W, C): advanced axes go first
    out = torch.where(valid[..., None], picked, torch.zeros((), dtype=x.dtype, device=x.device))
    return out.permute(0, 3, 1, 2).contiguous()


class SmallCNN(nn.Module):
    """Per entry of ``widths`` (a stage's output channels), two rounds of [Conv 3x3 (padding 1,
    no bias) -> BatchNorm2d -> ReLU] and a MaxPool 2x2; then global average pooling, dropout and
    a Linear layer to ``num_classes`` logits. Any H, W >= 2 ** len(widths) works: 8x8 digits,
    32x32 shapes."""

    def __init__(self, in_channels: int, num_classes: int, *,
                 widths: tuple[int, ...] = (32, 64), dropout: float = 0.1) -> None:
        """Build the layers (``self.features``, an nn.Sequential, then ``self.classifier``)."""
        super().__init__()
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        channels = in_channels
        for index, width in enumerate(widths):
            block: OrderedDict[str, nn.Module] = OrderedDict()
            for round_ in range(2):
                block[f"conv{round_}"] = nn.Conv2d(channels if round_ == 0 else width, width,
                                                   kernel_size=3, padding=1, bias=False)
                block[f"bn{round_}"] = nn.BatchNorm2d(width)
                block[f"relu{round_}"] = nn.ReLU(inplace=True)
            block["pool"] = nn.MaxPool2d(kernel_size=2, stride=2)
            stages[f"stage{index}"] = nn.Sequential(block)
            channels = width
        self.features = nn.Sequential(stages)
        # global average pooling lives in the head: (N, C, h, w) -> (N, C)
        self.classifier = nn.Sequential(OrderedDict([
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("dropout", nn.Dropout(dropout)),
            ("fc", nn.Linear(channels, num_classes)),
        ]))
        # He initialisation for the ReLU convolutions (fan-out mode, as ResNets do)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for images x (N, in_channels, H, W)."""
        return self.classifier(self.features(x))


def train_cnn(
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    epochs: int = 30,
    lr: float = 3e-3,
    batch_size: int = 64,
    widths: tuple[int, ...] = (32, 64),
    max_shift: int = 1,
    flip: bool = False,
    seed: int = 0,
) -> SmallCNN:
    """Train a SmallCNN (``num_classes`` = max label + 1) and return it in evaluation mode.

    Recipe: ``torch.manual_seed(seed)`` before building the model; float32 tensors; AdamW
    (lr, weight decay 1e-4) with a OneCycle learning-rate schedule over all steps; each epoch
    shuffles the training set with a ``torch.Generator`` seeded ``seed + epoch``, and each
    minibatch (at most batch_size images) is augmented (``augment`` with ``max_shift``,
    ``flip`` and a seed of your choice that differs between batches) before the forward pass;
    loss: cross-entropy.

    Args:
        x_train: (N, C, H, W) float images. y_train: (N,) integer labels.

    Returns:
        the trained model, in eval mode, on the CPU.
    """
    images = torch.from_numpy(np.array(x_train, dtype=np.float32))
    labels = torch.from_numpy(np.array(y_train, dtype=np.int64))
    torch.manual_seed(seed)
    model = SmallCNN(images.shape[1], int(labels.max().item()) + 1, widths=tuple(widths))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    n_batches = (len(images) + batch_size - 1) // batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, epochs=epochs,
                                                   steps_per_epoch=n_batches)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        generator = torch.Generator().manual_seed(seed + epoch)
        order = torch.randperm(len(images), generator=generator)
        # one augmentation seed per batch, from the epoch's generator after the shuffle
        batch_seeds = torch.randint(0, 2**62, (n_batches,), generator=generator).tolist()
        for indices, batch_seed in zip(order.split(batch_size), batch_seeds, strict=True):
            batch = augment(images[indices], max_shift=max_shift, flip=flip, seed=batch_seed)
            optimizer.zero_grad(set_to_none=True)
            criterion(model(batch), labels[indices]).backward()
            optimizer.step()
            schedule.step()
    model.eval()
    return model


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Class labels (N,) int64: argmax of the logits, with the model in eval mode and no
    gradients recorded, in batches of at most batch_size images.

    Args:
        x: (N, C, H, W) float images (converted to float32).
    """
    model.eval()
    images = torch.from_numpy(np.array(x, dtype=np.float32))
    chunks = [model(part).max(dim=1).indices.numpy() for part in images.split(batch_size)]
    if not chunks:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(chunks).astype(np.int64)
