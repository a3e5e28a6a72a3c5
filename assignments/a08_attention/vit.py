"""The Vision Transformer (Dosovitskiy et al. 2021) with torchvision's parameter names.

An image (B, C, H, W) is cut into N = (H / p)(W / p) patches of p x p pixels, row by row; each
patch, flattened in (C, p, p) order, is mapped linearly to D features. This patch embedding is
a convolution with kernel p and stride p, or equally unfold + a matrix product:

    patches = unfold(x)                         (B, N, C p p)
    tokens  = patches W^T + b                   (B, N, D),  W = conv weight reshaped to (D, C p p)

A learned class token is put in front, learned position embeddings are added, and pre-LN
encoder blocks follow (LayerNorm eps 1e-6, GELU MLP):

    z = [cls; tokens] + pos                     (B, N + 1, D)
    z = z + MHA(LN1(z));   z = z + MLP(LN2(z))  (each block)
    logits = head(LN(z)[:, 0])                  (B, num_classes)
"""

from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from multihead import MultiheadAttention
from torch import Tensor, nn


def patchify(images: Tensor, patch_size: int) -> Tensor:
    """(B, C, H, W) -> (B, N, C p p): patches in row-major order, each flattened as (C, p, p).

    Raises:
        ValueError: H or W is not a multiple of patch_size.
    """
    raise NotImplementedError('implement patchify in vit.py')


def patch_embed_unfold(images: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """Patch embedding by patchify and a matrix product. weight (D, C, p, p), bias (D,) or None
    -> (B, N, D)."""
    raise NotImplementedError('implement patch_embed_unfold in vit.py')


def patch_embed_conv(images: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """The same embedding as a strided convolution (kernel = stride = p) -> (B, N, D)."""
    raise NotImplementedError('implement patch_embed_conv in vit.py')


class EncoderBlock(nn.Module):
    """torchvision's EncoderBlock: ln_1, self_attention, dropout, ln_2, mlp (Linear, GELU,
    Dropout, Linear, Dropout: keys mlp.0 and mlp.3)."""

    def __init__(self, num_heads: int, hidden_dim: int, mlp_dim: int, dropout: float = 0.0,
                 attention_dropout: float = 0.0) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.self_attention = MultiheadAttention(hidden_dim, num_heads, attention_dropout,
                                                 batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(hidden_dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, hidden_dim), nn.Dropout(dropout))

    def forward(self, x: Tensor) -> Tensor:
        """(B, N + 1, D) -> (B, N + 1, D): x + dropout(MHA(LN1(x))), then + MLP(LN2(.))."""
        raise NotImplementedError('implement EncoderBlock.forward in vit.py')


class Encoder(nn.Module):
    """torchvision's Encoder: pos_embedding (1, N + 1, D) ~ N(0, 0.02^2), dropout,
    layers (encoder_layer_0, ...), ln."""

    def __init__(self, seq_length: int, num_layers: int, num_heads: int, hidden_dim: int,
                 mlp_dim: int, dropout: float = 0.0, attention_dropout: float = 0.0) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.randn(1, seq_length, hidden_dim) * 0.02)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(OrderedDict(
            (f"encoder_layer_{i}", EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout,
                                                attention_dropout))
            for i in range(num_layers)))
        self.ln = nn.LayerNorm(hidden_dim, eps=1e-6)

    def forward(self, x: Tensor) -> Tensor:
        """(B, N + 1, D) -> ln(layers(dropout(x + pos_embedding)))."""
        raise NotImplementedError('implement Encoder.forward in vit.py')


class VisionTransformer(nn.Module):
    """torchvision.models.VisionTransformer's parameters: conv_proj, class_token (1, 1, D)
    (zeros), encoder, heads.head; plus ``in_channels`` (torchvision's is always 3)."""

    def __init__(self, image_size: int, patch_size: int, num_layers: int, num_heads: int,
                 hidden_dim: int, mlp_dim: int, num_classes: int = 1000, dropout: float = 0.0,
                 attention_dropout: float = 0.0, in_channels: int = 3) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"image size {image_size} is not a multiple of {patch_size}")
        self.image_size, self.patch_size, self.hidden_dim = image_size, patch_size, hidden_dim
        self.conv_proj = nn.Conv2d(in_channels, hidden_dim, patch_size, stride=patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        seq_length = (image_size // patch_size) ** 2 + 1
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout,
                               attention_dropout)
        self.heads = nn.Sequential(OrderedDict(head=nn.Linear(hidden_dim, num_classes)))

    def forward(self, images: Tensor) -> Tensor:
        """(B, C, image_size, image_size) -> logits (B, num_classes), read from the class token."""
        raise NotImplementedError('implement VisionTransformer.forward in vit.py')


def train_vit(images: np.ndarray, labels: np.ndarray, *, epochs: int = 10,
              batch_size: int = 64, lr: float = 3e-3, seed: int = 0) -> VisionTransformer:
    """Train a tiny ViT (float32) on 8x8 one-channel images: VisionTransformer(image_size=8,
    patch_size=4, num_layers=1, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=10,
    in_channels=1).

    ``torch.manual_seed(seed)`` before building the model; each epoch visits every image once in
    the order ``np.random.default_rng(seed).permutation`` draws (one generator for the whole run,
    a new permutation per epoch), in batches of batch_size (the last one smaller); mean
    cross-entropy; AdamW (lr, weight decay 0.01). Returns the model in eval mode.

    Args:
        images: (N, 1, 8, 8) floats in [0, 1]. labels: (N,) int64 in 0..9.
    """
    raise NotImplementedError('implement train_vit in vit.py')


def predict(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """Class ids (N,) int64: argmax of the logits, in eval mode, without gradients."""
    raise NotImplementedError('implement predict in vit.py')
