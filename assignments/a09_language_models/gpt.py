"""GPT-2: a decoder-only Transformer language model (Radford et al. 2019), with a KV cache.

Shapes: B batch, T tokens, C = n_embd channels, H = n_head heads, D = C / H head size, V vocab.

    x_0 = wte[ids] + wpe[p_0 .. p_0 + T - 1]                        (B, T, C)
    x  <- x + Attn(LN_1(x));  x <- x + MLP(LN_2(x))                 per block (pre-norm)
    logits = LN_f(x) @ wte^T                                         (B, T, V) (weight tying)

    Attn(x) = concat_h softmax(Q_h K_h^T / sqrt(D) + M) V_h  W_proj + b_proj,
    M[i, j] = -inf for j > i (causal), [Q K V] = x W_attn + b_attn  (one C x 3C Linear, Q first)
    MLP(x)  = GELU_tanh(x W_fc + b_fc) W_proj + b_proj               (hidden 4C)

A cache is a list with one ``(k, v)`` pair per block, each ``(B, H, T_past, D)``: the keys and
values of every earlier position. With a cache, the new tokens sit at positions
``T_past .. T_past + T - 1`` and attend to all past positions and causally to each other.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

KV = tuple[Tensor, Tensor]
Cache = list[KV]


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention: ``c_attn`` Linear(C, 3C) (Q, K, V in this order along
    the output), ``c_proj`` Linear(C, C); heads split the channels in order (head h has channels
    h*D .. (h+1)*D - 1)."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"n_embd {n_embd} is not a multiple of n_head {n_head}")
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x: Tensor, past: KV | None = None) -> tuple[Tensor, KV]:
        """x (B, T, C), past ``(k, v)`` each (B, H, T_past, D) or None.

        Returns:
            y (B, T, C) and the new ``(k, v)``, each (B, H, T_past + T, D): past keys and values
            followed by those of x. Query i of x (position T_past + i) attends to keys
            0 .. T_past + i.
        """
        raise NotImplementedError('implement CausalSelfAttention.forward in gpt.py')


class MLP(nn.Module):
    """``c_fc`` Linear(C, 4C), GELU with the tanh approximation, ``c_proj`` Linear(4C, C)."""

    def __init__(self, n_embd: int) -> None:
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x: Tensor) -> Tensor:
        """(..., C) -> (..., C)."""
        raise NotImplementedError('implement MLP.forward in gpt.py')


class Block(nn.Module):
    """A pre-norm block: ``ln_1``, ``attn``, ``ln_2``, ``mlp`` (LayerNorms with eps 1e-5)."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, eps=1e-5)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd, eps=1e-5)
        self.mlp = MLP(n_embd)

    def forward(self, x: Tensor, past: KV | None = None) -> tuple[Tensor, KV]:
        """x <- x + attn(ln_1(x)); x <- x + mlp(ln_2(x)). Returns x (B, T, C) and the
        attention's new ``(k, v)``."""
        raise NotImplementedError('implement Block.forward in gpt.py')


class GPT(nn.Module):
    """GPT-2: ``wte`` Embedding(V, C), ``wpe`` Embedding(n_positions, C), ``h`` a ModuleList of
    ``n_layer`` Blocks, ``ln_f`` LayerNorm(C), ``lm_head`` Linear(C, V, bias=False) whose weight
    IS ``wte.weight`` (one Parameter). The constructor initialises as ``init_gpt2_weights``."""

    def __init__(self, vocab_size: int, n_positions: int = 64, n_embd: int = 32,
                 n_layer: int = 2, n_head: int = 4) -> None:
        super().__init__()
        self.n_layer, self.n_positions = n_layer, n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.h = nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-5)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        raise NotImplementedError("implement GPT.__init__ in gpt.py (hint: tie lm_head's weight to wte's (one Parameter), then initialise as GPT-2)")

    def forward_with_cache(self, ids: Tensor, cache: Cache | None = None
                           ) -> tuple[Tensor, Cache]:
        """ids (B, T) long; cache from an earlier call (T_past positions) or None.

        Returns:
            logits (B, T, V) and the new cache (one ``(k, v)`` per block, each
            (B, H, T_past + T, D)).

        Raises:
            ValueError: when T_past + T exceeds ``n_positions``.
        """
        raise NotImplementedError('implement GPT.forward_with_cache in gpt.py')

    def forward(self, ids: Tensor) -> Tensor:
        """ids (B, T) long -> logits (B, T, V), without a cache."""
        raise NotImplementedError('implement GPT.forward in gpt.py')


def init_gpt2_weights(model: GPT) -> None:
    """GPT-2's initialisation, in place: every Linear and Embedding weight ~ N(0, 0.02^2), every
    Linear bias 0, LayerNorm weight 1 and bias 0; then the weights of the two residual output
    projections of every block (``attn.c_proj`` and ``mlp.c_proj``) ~ N(0, (0.02 / sqrt(2 L))^2)
    with L = ``model.n_layer``. Draws from torch's global generator."""
    raise NotImplementedError('implement init_gpt2_weights in gpt.py')


def lm_loss(logits: Tensor, labels: Tensor, ignore_index: int = -100) -> Tensor:
    """The causal LM loss: mean cross-entropy of predicting token t + 1 from position t,

        L = mean over (b, t < T - 1) with labels[b, t + 1] != ignore_index of
            -log softmax(logits[b, t])[labels[b, t + 1]],

    logits (B, T, V), labels (B, T) long (usually the input ids). A scalar tensor."""
    raise NotImplementedError('implement lm_loss in gpt.py')
