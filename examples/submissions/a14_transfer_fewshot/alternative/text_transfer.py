"""MiniLM transfer, written from the handout: batches, pooling, a BERT layer, two regimes."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

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
    """A BertLayer state_dict under TopLayer's names."""
    return {ours: state[theirs] for ours, theirs in BERT_LAYER_KEYS.items()}


def pad_batch(token_ids: list[list[int]], *, cls_id: int, sep_id: int, pad_id: int,
              max_length: int) -> tuple[Tensor, Tensor]:
    """[CLS] ids [SEP], right-padded; mask 1 on tokens."""
    if max_length < 2:
        raise ValueError("max_length < 2 leaves no room for [CLS] and [SEP]")
    lengths = [min(len(ids), max_length - 2) + 2 for ids in token_ids]
    width = max(lengths)
    rows, masks = [], []
    for ids, n in zip(token_ids, lengths, strict=True):
        rows.append([cls_id] + list(ids[:n - 2]) + [sep_id] + [pad_id] * (width - n))
        masks.append([1] * n + [0] * (width - n))
    return torch.tensor(rows, dtype=torch.long), torch.tensor(masks, dtype=torch.long)


def mean_pool(hidden: Tensor, mask: Tensor) -> Tensor:
    """Masked mean over tokens."""
    w = mask.to(hidden.dtype)
    total = torch.einsum("btd,bt->bd", hidden, w)
    return total / torch.clamp(w.sum(dim=1, keepdim=True), min=1e-9)


def cls_pool(hidden: Tensor) -> Tensor:
    """First token."""
    return hidden.select(1, 0)


def l2_normalize(x: Tensor) -> Tensor:
    """Unit rows."""
    return F.normalize(x, p=2.0, dim=1, eps=1e-12)


class TopLayer(nn.Module):
    """Post-LN BERT layer."""

    def __init__(self, dim: int = 384, heads: int = 12, ffn: int = 1536) -> None:
        super().__init__()
        if heads <= 0 or dim % heads != 0:
            raise ValueError("heads must divide dim")
        self.heads = heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.attn_out = nn.Linear(dim, dim)
        self.ln1 = nn.LayerNorm(dim, eps=1e-12)
        self.ffn_in = nn.Linear(dim, ffn)
        self.ffn_out = nn.Linear(ffn, dim)
        self.ln2 = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        n, t, d = x.shape
        heads = [z.reshape(n, t, self.heads, -1).permute(0, 2, 1, 3)
                 for z in (self.query(x), self.key(x), self.value(x))]
        keep = mask.bool()[:, None, None, :]
        att = F.scaled_dot_product_attention(*heads, attn_mask=keep)
        att = att.permute(0, 2, 1, 3).reshape(n, t, d)
        y = self.ln1(self.attn_out(att) + x)
        z = self.ffn_out(F.gelu(self.ffn_in(y), approximate="none"))
        return self.ln2(z + y)


def train_linear_head(features: Tensor, labels: Tensor, n_classes: int, *, epochs: int = 200,
                      lr: float = 1e-2, seed: int = 0) -> nn.Linear:
    """Full-batch Adam on the cross-entropy."""
    torch.manual_seed(seed)
    head = nn.Linear(features.size(1), n_classes, device=features.device, dtype=features.dtype)
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    step = 0
    while step < epochs:
        opt.zero_grad()
        F.cross_entropy(head(features), labels).backward()
        opt.step()
        step += 1
    return head


class FineTuned(nn.Module):
    """top -> masked mean -> head."""

    def __init__(self, top: TopLayer, n_classes: int) -> None:
        super().__init__()
        self.top = top
        self.head = nn.Linear(top.ln2.normalized_shape[0], n_classes)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        return self.head(mean_pool(self.top(x, mask), mask))


def fine_tune_top(inputs: Tensor, mask: Tensor, labels: Tensor, layer_state: dict[str, Tensor],
                  n_classes: int, *, heads: int = 12, epochs: int = 30, lr: float = 1e-4,
                  head_lr: float = 1e-2, seed: int = 0) -> FineTuned:
    """Top layer from the pretrained weights plus a new head, two learning rates."""
    torch.manual_seed(seed)
    dim, ffn = inputs.size(-1), layer_state["ffn_out.weight"].size(1)
    model = FineTuned(TopLayer(dim, heads, ffn), n_classes)
    model.top.load_state_dict({k: v.clone() for k, v in layer_state.items()})
    model = model.to(device=inputs.device, dtype=inputs.dtype)
    groups = [{"params": list(model.top.parameters()), "lr": lr},
              {"params": list(model.head.parameters()), "lr": head_lr}]
    opt = torch.optim.Adam(groups)
    model.train()
    for _ in range(epochs):
        opt.zero_grad()
        F.cross_entropy(model(inputs, mask), labels).backward()
        opt.step()
    model.eval()
    return model
