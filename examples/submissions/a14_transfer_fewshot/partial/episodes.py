"""Episodes for few-shot learning: N-way K-shot tasks drawn from a labelled pool.

An episode picks N classes, then K support and Q query examples of each, support and query
disjoint. Inside the episode the classes are relabelled 0..N-1 in the order they were drawn, so a
learner cannot memorise global class identities: it has to compare queries with the support set.
"""

import torch
from torch import Tensor


class EpisodeSampler:
    """Draws N-way K-shot episodes from ``labels`` (M,) (int64, any device); all randomness comes
    from ``self.generator = torch.Generator().manual_seed(seed)`` (a CPU generator).

    A class is eligible when it has at least ``k_shot + n_query`` examples.
    """

    def __init__(self, labels: Tensor, n_way: int, k_shot: int, n_query: int, *,
                 seed: int = 0) -> None:
        """Stores the sorted eligible classes in ``self.classes`` (C,) (int64, CPU).

        Raises:
            ValueError: when n_way, k_shot or n_query < 1, or fewer than n_way classes are
                eligible.
        """
        if min(n_way, k_shot, n_query) < 1:
            raise ValueError(f"n_way, k_shot and n_query must be >= 1, got {n_way}, {k_shot}, "
                             f"{n_query}")
        self.labels = labels.detach().cpu().long()
        self.n_way, self.k_shot, self.n_query = n_way, k_shot, n_query
        values, counts = torch.unique(self.labels, return_counts=True)
        self.classes = values[counts >= k_shot]
        if len(self.classes) < n_way:
            raise ValueError(f"only {len(self.classes)} classes have {k_shot + n_query} "
                             f"examples, need {n_way}")
        self.generator = torch.Generator().manual_seed(seed)

    def sample(self) -> tuple[Tensor, Tensor, Tensor]:
        """One episode: (support (N, K), query (N, Q), classes (N,)), int64 on CPU.

        support[j] and query[j] are indices into ``labels`` of examples of class classes[j].
        Draws, in this order: ``torch.randperm(C, generator=g)[:N]`` picks positions in
        ``self.classes``; then for each picked class j in turn, with idx_j its example indices
        in increasing order, ``p = torch.randperm(len(idx_j), generator=g)``;
        support[j] = idx_j[p[:K]] and query[j] = idx_j[p[K:K + Q]].
        """
        g = self.generator
        picked = self.classes[torch.randperm(len(self.classes), generator=g)[:self.n_way]]
        support, query = [], []
        for c in picked:
            idx = torch.nonzero(self.labels == c).flatten()
            p = torch.randperm(len(idx), generator=g)
            support.append(idx[p[:self.k_shot]])
            query.append(idx[p[self.k_shot:self.k_shot + self.n_query]])
        return torch.stack(support), torch.stack(query), picked


def episode_labels(n_way: int, n_per_class: int, device: str | torch.device = "cpu") -> Tensor:
    """The episode labels of N classes with n examples each, class by class:
    (N * n,) int64 = [0]*n + [1]*n + ... + [N-1]*n."""
    return torch.arange(n_way, device=device).repeat_interleave(n_per_class)
