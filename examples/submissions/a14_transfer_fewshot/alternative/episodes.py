"""Episodic sampling, written from the handout."""

import torch
from torch import Tensor


class EpisodeSampler:
    def __init__(self, labels: Tensor, n_way: int, k_shot: int, n_query: int, *,
                 seed: int = 0) -> None:
        if n_way < 1 or k_shot < 1 or n_query < 1:
            raise ValueError("n_way, k_shot and n_query must be positive")
        lab = labels.cpu().to(torch.int64)
        need = k_shot + n_query
        eligible = [c for c in sorted(set(lab.tolist())) if int((lab == c).sum()) >= need]
        if len(eligible) < n_way:
            raise ValueError("not enough eligible classes")
        self.classes = torch.tensor(eligible, dtype=torch.int64)
        self.members = {c: torch.where(lab == c)[0] for c in eligible}
        self.n_way, self.k_shot, self.n_query = n_way, k_shot, n_query
        self.generator = torch.Generator()
        self.generator.manual_seed(seed)

    def sample(self) -> tuple[Tensor, Tensor, Tensor]:
        order = torch.randperm(self.classes.numel(), generator=self.generator)
        chosen = self.classes[order[:self.n_way]]
        sup = torch.empty(self.n_way, self.k_shot, dtype=torch.int64)
        qry = torch.empty(self.n_way, self.n_query, dtype=torch.int64)
        for j, c in enumerate(chosen.tolist()):
            members = self.members[c]
            shuffled = members[torch.randperm(members.numel(), generator=self.generator)]
            sup[j] = shuffled[:self.k_shot]
            qry[j] = shuffled[self.k_shot:self.k_shot + self.n_query]
        return sup, qry, chosen


def episode_labels(n_way: int, n_per_class: int, device: str | torch.device = "cpu") -> Tensor:
    return torch.arange(n_way * n_per_class, device=device) // n_per_class
