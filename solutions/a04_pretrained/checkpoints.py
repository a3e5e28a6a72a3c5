"""Loading checkpoints that were saved by someone else.

A checkpoint is a file written with ``torch.save``: a state_dict (parameter and buffer names
-> tensors), sometimes wrapped as {"state_dict": ...} or {"model": ...}. Three things commonly
stand between it and ``model.load_state_dict(..., strict=True)``:

- keys saved from ``nn.DataParallel`` / ``DistributedDataParallel`` start with ``module.``;
- the code that saved it named a layer differently (a ``renames`` map of key prefixes, e.g.
  {"classifier.": "fc."});
- the head was trained for another number of classes: its tensors have the wrong shape (or are
  missing), and the new head keeps its fresh initialisation.

Anything else that does not fit (a missing or unexpected key outside the head, a wrong shape
outside the head) is an error, reported with the key and the shapes.

torchvision's published weights are such files too; with the file on disk (nothing is
downloaded) ``load_torchvision_weights`` loads one from torch hub's cache layout.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

# The file names torchvision's weights enums download (the last part of ``weights.url``).
WEIGHT_FILES = {
    "resnet18": "resnet18-f37072fd.pth",
    "resnet34": "resnet34-b627a593.pth",
    "resnet50": "resnet50-11ad3fa6.pth",
    "vgg11": "vgg11-8a719046.pth",
    "vgg16": "vgg16-397923af.pth",
    "vgg16_bn": "vgg16_bn-6c64b313.pth",
    "googlenet": "googlenet-1378be20.pth",
}


def clean_state_dict(state: dict, renames: dict[str, str] | None = None
                     ) -> dict[str, torch.Tensor]:
    """A new dict: ``state`` unwrapped (its "state_dict" or "model" entry when it has one),
    every leading "module." removed from each key (repeatedly: a model wrapped twice has two),
    then the first matching prefix of ``renames`` (old -> new) replaced. The argument is not
    modified. Raises ValueError when two keys end up the same."""
    ### BEGIN SOLUTION
    for wrapper in ("state_dict", "model"):
        if isinstance(state.get(wrapper), dict):
            state = state[wrapper]
            break
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        while key.startswith("module."):
            key = key[len("module."):]
        for old, new in (renames or {}).items():
            if key.startswith(old):
                key = new + key[len(old):]
                break
        if key in out:
            raise ValueError(f"two checkpoint keys map to {key!r}")
        out[key] = value
    return out
    ### END SOLUTION


def load_checkpoint(model: nn.Module, path: str | os.PathLike, *,
                    renames: dict[str, str] | None = None, head: str | None = "fc"
                    ) -> list[str]:
    """Load the checkpoint at ``path`` (``torch.load(path, map_location="cpu",
    weights_only=True)``, then ``clean_state_dict``) into ``model`` with strict=True semantics,
    except that keys of the head (those starting with ``head + "."``; no exception when head is
    None) may be missing or have another shape: they keep the model's current values. Tensors
    are copied to the dtype and device of the model's own.

    Returns: the sorted model keys that kept their current values (empty for a perfect fit).
    Raises: ValueError naming the key for a missing or unexpected key, or a shape mismatch,
    outside the head (the model is then left unchanged).
    """
    ### BEGIN SOLUTION
    state = clean_state_dict(torch.load(path, map_location="cpu", weights_only=True), renames)
    own = model.state_dict()
    prefix = "\0" if head is None else head + "."  # "\0" starts no key
    unexpected = [k for k in state if k not in own and not k.startswith(prefix)]
    if unexpected:
        raise ValueError(f"unexpected key(s) in the checkpoint: {unexpected}")
    merged, kept = {}, []
    for key, value in own.items():
        theirs = state.get(key)
        if theirs is not None and theirs.shape == value.shape:
            merged[key] = theirs
        elif key.startswith(prefix):
            merged[key] = value
            kept.append(key)
        elif theirs is None:
            raise ValueError(f"key {key!r} is missing from the checkpoint")
        else:
            raise ValueError(f"shape mismatch for {key!r}: checkpoint {tuple(theirs.shape)}, "
                             f"model {tuple(value.shape)}")
    model.load_state_dict(merged, strict=True)
    return sorted(kept)
    ### END SOLUTION


def load_torchvision_weights(model: nn.Module, arch: str, root: str | os.PathLike) -> None:
    """Load torchvision's published ImageNet weights for ``arch`` (a key of WEIGHT_FILES) from
    ``root / "hub" / "checkpoints" / WEIGHT_FILES[arch]``, torch hub's cache layout (``root`` is
    what $TORCH_HOME points to, by default ~/.cache/torch), with every key required (no head
    exception). Nothing is downloaded. Raises KeyError for an unknown arch and
    FileNotFoundError, naming the expected path and where to get the file (the URL of the
    weights enum), when the file is not there."""
    ### BEGIN SOLUTION
    path = Path(root) / "hub" / "checkpoints" / WEIGHT_FILES[arch]
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: download https://download.pytorch.org/models/"
            f"{WEIGHT_FILES[arch]} on a machine with network access and copy it there")
    load_checkpoint(model, path, head=None)
    ### END SOLUTION
