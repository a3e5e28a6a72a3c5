"""Siamese networks for one-shot verification (Bromley et al. 1993, Koch et al. 2015).

One embedding f, the SAME weights for both inputs, maps a pair of images to R^D; their
Euclidean distance D(a, b) = ||f(a) - f(b)||_2 says how alike they are. Training uses the
contrastive loss of Hadsell, Chopra and LeCun (2006) on pairs labelled y = 1 (same class) or
y = 0 (different classes), with a margin m > 0:

    L = (1 / P) sum_i [ y_i * D_i^2 / 2 + (1 - y_i) * max(0, m - D_i)^2 / 2 ],

which pulls same-class pairs together and pushes different-class pairs apart until they are at
least m apart (beyond the margin they cost nothing). Verification says "same" when the distance is
below a threshold; one-shot N-way classification gives a query the class of its nearest support
embedding (one example per class), on classes never seen in training.
"""

import torch
from protonet import ConvEmbedder
from torch import Tensor, nn


class PairSampler:
    """Draws balanced same-class / different-class pairs of indices into ``labels`` (M,) (int64,
    any device); all randomness comes from ``self.generator = torch.Generator().manual_seed(seed)``
    (a CPU generator)."""

    def __init__(self, labels: Tensor, *, seed: int = 0) -> None:
        """Stores the sorted classes in ``self.classes`` (C,) and the sorted classes with at least
        two examples in ``self.pair_classes`` (int64, CPU).

        Raises:
            ValueError: when fewer than two classes occur or no class has two examples.
        """
        self.labels = labels.detach().cpu().long()
        values, counts = torch.unique(self.labels, return_counts=True)
        self.classes, self.pair_classes = values, values[counts >= 2]
        if len(self.classes) < 2 or len(self.pair_classes) < 1:
            raise ValueError("need two classes and a class with two examples, got "
                             f"{len(self.classes)} classes, {len(self.pair_classes)} with two")
        self.generator = torch.Generator().manual_seed(seed)

    def sample(self, n_pairs: int) -> tuple[Tensor, Tensor, Tensor]:
        """P = n_pairs pairs: (first (P,), second (P,), same (P,)), int64 on CPU; the first h = P/2
        pairs are same-class (same = 1), the last h different-class (same = 0).

        With g = self.generator, C = len(self.classes) and idx_c the indices of class c's examples
        in increasing order, draws in this order:
        1. ``a = torch.randint(len(self.pair_classes), (h,), generator=g)``: the same pairs'
           classes ``self.pair_classes[a]``;
        2. ``b = torch.randint(C, (h,), generator=g)``, then
           ``o = torch.randint(C - 1, (h,), generator=g)``: the different pairs' classes
           ``self.classes[b]`` and ``self.classes[(b + 1 + o) % C]``;
        3. for each same pair in turn, ``p = torch.randperm(len(idx_c), generator=g)``; the pair is
           (idx_c[p[0]], idx_c[p[1]]);
        4. for each different pair in turn, with classes c1, c2: ``torch.randint(len(idx_c1),
           (1,), generator=g)`` picks its first example in idx_c1, then the same for c2.

        Raises:
            ValueError: when n_pairs is odd or < 2.
        """
        if n_pairs < 2 or n_pairs % 2:
            raise ValueError(f"n_pairs must be even and >= 2, got {n_pairs}")
        g, h, n = self.generator, n_pairs // 2, len(self.classes)
        same_cls = self.pair_classes[torch.randint(len(self.pair_classes), (h,), generator=g)]
        b = torch.randint(n, (h,), generator=g)
        o = torch.randint(n - 1, (h,), generator=g)
        c1, c2 = self.classes[b], self.classes[(b + 1 + o) % n]
        first, second = [], []
        for c in same_cls:
            idx = torch.nonzero(self.labels == c).flatten()
            p = torch.randperm(len(idx), generator=g)
            first.append(idx[p[0]])
            second.append(idx[p[1]])
        for u, v in zip(c1, c2, strict=True):
            for c, out in ((u, first), (v, second)):
                idx = torch.nonzero(self.labels == c).flatten()
                out.append(idx[torch.randint(len(idx), (1,), generator=g)][0])
        same = torch.cat([torch.ones(h, dtype=torch.int64), torch.zeros(h, dtype=torch.int64)])
        return torch.stack(first), torch.stack(second), same


def pair_distance(e1: Tensor, e2: Tensor) -> Tensor:
    """Euclidean distances of paired embeddings: e1, e2 (P, D) -> (P,) with
    D_i = sqrt(sum_d (e1[i, d] - e2[i, d])^2), exactly (no epsilon: identical rows give 0), and
    differentiable everywhere: where D_i = 0 its gradient is 0, never NaN."""
    sq = ((e1 - e2) ** 2).sum(dim=-1)
    positive = sq > 0
    root = torch.where(positive, sq, torch.ones_like(sq)).sqrt()
    return torch.where(positive, root, torch.zeros_like(sq))


def contrastive_loss(dist: Tensor, same: Tensor, margin: float = 1.0) -> Tensor:
    """The contrastive loss (Hadsell et al. 2006): distances (P,), labels same (P,) (1 = same
    class, 0 = different; any dtype) -> the scalar
    mean_i [ same_i * dist_i^2 / 2 + (1 - same_i) * max(0, margin - dist_i)^2 / 2 ]
    in dist's dtype."""
    y = 1 - same.to(dist.dtype)
    hinge = torch.clamp(margin - dist, min=0.0)
    return (y * dist ** 2 / 2 + (1 - y) * hinge ** 2 / 2).mean()


class SiameseNet(nn.Module):
    """Two inputs, ONE embedding: ``self.embed = ConvEmbedder(in_channels, channels, blocks)``
    (protonet's), applied to both; there is no other parameter."""

    def __init__(self, in_channels: int = 3, channels: int = 16, blocks: int = 3) -> None:
        """Builds the shared embedding ``self.embed``."""
        super().__init__()
        self.embed = ConvEmbedder(in_channels, channels, blocks)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """Images x1, x2 (P, C, H, W) -> distances (P,) between their embeddings
        (``pair_distance``). Both go through ``self.embed`` in ONE batch (x1 first, then x2),
        so batch norm sees the pairs together."""
        emb = self.embed(torch.cat([x1, x2]))
        return pair_distance(emb[:len(x1)], emb[len(x1):])


def verify(dist: Tensor, threshold: float) -> Tensor:
    """Verification: (P,) distances -> (P,) int64, 1 ("same") where dist < threshold (strictly),
    else 0."""
    return (dist < threshold).long()


def one_shot_predict(support: Tensor, query: Tensor) -> Tensor:
    """One-shot N-way classification: support embeddings (N, D), one per class, and query
    embeddings (Q, D) -> (Q,) int64, the index of each query's nearest support embedding in
    Euclidean distance (the lowest index on ties)."""
    raise NotImplementedError("one_shot_predict: not done yet")


def train_siamese(x: Tensor, y: Tensor, *, steps: int = 150, n_pairs: int = 64,
                  margin: float = 1.0, lr: float = 1e-3, channels: int = 16,
                  seed: int = 0) -> SiameseNet:
    """Trains ``SiameseNet(x.shape[1], channels)`` on pairs of x (M, C, H, W), y (M,).

    ``torch.manual_seed(seed)`` before building the model; pairs from
    ``PairSampler(y, seed=seed).sample(n_pairs)``; the contrastive loss with ``margin``;
    Adam(lr); one step per batch of pairs. The model lives on x's device and is returned in eval
    mode.
    """
    torch.manual_seed(seed)
    model = SiameseNet(x.shape[1], channels).to(x.device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sampler = PairSampler(y, seed=seed)
    model.train()
    for _ in range(steps):
        i, j, same = (t.to(x.device) for t in sampler.sample(n_pairs))
        loss = contrastive_loss(model(x[i], x[j]), same, margin)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()
