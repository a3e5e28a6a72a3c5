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
        raise NotImplementedError('implement PairSampler.__init__ in siamese.py')

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
        raise NotImplementedError('implement PairSampler.sample in siamese.py')


def pair_distance(e1: Tensor, e2: Tensor) -> Tensor:
    """Euclidean distances of paired embeddings: e1, e2 (P, D) -> (P,) with
    D_i = sqrt(sum_d (e1[i, d] - e2[i, d])^2), exactly (no epsilon: identical rows give 0), and
    differentiable everywhere: where D_i = 0 its gradient is 0, never NaN."""
    raise NotImplementedError('implement pair_distance in siamese.py')


def contrastive_loss(dist: Tensor, same: Tensor, margin: float = 1.0) -> Tensor:
    """The contrastive loss (Hadsell et al. 2006): distances (P,), labels same (P,) (1 = same
    class, 0 = different; any dtype) -> the scalar
    mean_i [ same_i * dist_i^2 / 2 + (1 - same_i) * max(0, margin - dist_i)^2 / 2 ]
    in dist's dtype."""
    raise NotImplementedError('implement contrastive_loss in siamese.py')


class SiameseNet(nn.Module):
    """Two inputs, ONE embedding: ``self.embed = ConvEmbedder(in_channels, channels, blocks)``
    (protonet's), applied to both; there is no other parameter."""

    def __init__(self, in_channels: int = 3, channels: int = 16, blocks: int = 3) -> None:
        """Builds the shared embedding ``self.embed``."""
        super().__init__()
        raise NotImplementedError('implement SiameseNet.__init__ in siamese.py')

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """Images x1, x2 (P, C, H, W) -> distances (P,) between their embeddings
        (``pair_distance``). Both go through ``self.embed`` in ONE batch (x1 first, then x2),
        so batch norm sees the pairs together."""
        raise NotImplementedError('implement SiameseNet.forward in siamese.py')


def verify(dist: Tensor, threshold: float) -> Tensor:
    """Verification: (P,) distances -> (P,) int64, 1 ("same") where dist < threshold (strictly),
    else 0."""
    raise NotImplementedError('implement verify in siamese.py')


def one_shot_predict(support: Tensor, query: Tensor) -> Tensor:
    """One-shot N-way classification: support embeddings (N, D), one per class, and query
    embeddings (Q, D) -> (Q,) int64, the index of each query's nearest support embedding in
    Euclidean distance (the lowest index on ties)."""
    raise NotImplementedError('implement one_shot_predict in siamese.py')


def train_siamese(x: Tensor, y: Tensor, *, steps: int = 150, n_pairs: int = 64,
                  margin: float = 1.0, lr: float = 1e-3, channels: int = 16,
                  seed: int = 0) -> SiameseNet:
    """Trains ``SiameseNet(x.shape[1], channels)`` on pairs of x (M, C, H, W), y (M,).

    ``torch.manual_seed(seed)`` before building the model; pairs from
    ``PairSampler(y, seed=seed).sample(n_pairs)``; the contrastive loss with ``margin``;
    Adam(lr); one step per batch of pairs. The model lives on x's device and is returned in eval
    mode.
    """
    raise NotImplementedError('implement train_siamese in siamese.py')
