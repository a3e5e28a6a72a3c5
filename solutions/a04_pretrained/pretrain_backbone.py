"""Pretrain the course backbone (``dnn.backbone.SmallResNet``) on glyphs and save it.

Run from the repository root (about 10 minutes of 2 CPU cores)::

    nice -n 10 .venv/bin/python solutions/a04_pretrained/pretrain_backbone.py

It writes ``datasets/glyph_resnet10_w16.pt`` (a float32 state_dict, torchvision key names,
64-class glyph head) and prints its sha256, which goes into ``dnn.backbone.SHA256`` and the card
``datasets/cards/glyph_resnet.md``. Everything is seeded; the bytes can still differ across
torch versions and CPUs (summation order), which is why the checkpoint is committed.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import torch
from torch import nn

from dnn.backbone import CHECKPOINT, SOURCE_CLASSES, normalise, small_resnet
from dnn.glyphs import load_glyphs


def train(epochs: int, n: int, batch_size: int, lr: float, seed: int) -> nn.Module:
    """AdamW (weight decay 5e-4) with a one-cycle schedule, cross-entropy, seeded shuffles."""
    data = load_glyphs(n=n, num_classes=SOURCE_CLASSES, seed=seed)
    x, y = normalise(data["train"].x), torch.as_tensor(data["train"].y)
    torch.manual_seed(seed)
    model = small_resnet(SOURCE_CLASSES)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=5e-4)
    steps = epochs * -(-len(x) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed + epoch))
        start_time = time.time()
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}: last loss {loss.item():.3f}, "
              f"val acc {accuracy(model, data['val']):.3f} ({time.time() - start_time:.0f} s)")
    print(f"test accuracy {accuracy(model, data['test']):.3f}")
    return model.eval()


@torch.no_grad()
def accuracy(model: nn.Module, split) -> float:
    model.eval()
    pred = model(normalise(split.x)).argmax(1).numpy()
    return float((pred == split.y).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n", type=int, default=12800)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=4e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(CHECKPOINT))
    args = parser.parse_args()
    torch.set_num_threads(2)
    model = train(args.epochs, args.n, args.batch_size, args.lr, args.seed)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    torch.save(state, args.out)
    with open(args.out, "rb") as f:
        print(f"wrote {args.out}: sha256 {hashlib.sha256(f.read()).hexdigest()}")


if __name__ == "__main__":
    main()
