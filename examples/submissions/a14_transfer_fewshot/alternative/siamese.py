"""The siamese verifier, written from the handout and the stub's docstrings."""

import torch
import torch.nn.functional as F
from protonet import ConvEmbedder
from torch import Tensor, nn


class PairSampler:
    def __init__(self, labels: Tensor, *, seed: int = 0) -> None:
        self.labels = labels.detach().to("cpu", torch.int64)
        present = sorted(set(self.labels.tolist()))
        self.members = {c: [i for i, v in enumerate(self.labels.tolist()) if v == c]
                        for c in present}
        self.classes = torch.tensor(present, dtype=torch.int64)
        self.pair_classes = torch.tensor([c for c in present if len(self.members[c]) > 1],
                                         dtype=torch.int64)
        if self.classes.numel() < 2 or self.pair_classes.numel() == 0:
            raise ValueError("PairSampler needs two classes, one of them with two examples")
        self.generator = torch.Generator().manual_seed(seed)

    def sample(self, n_pairs: int) -> tuple[Tensor, Tensor, Tensor]:
        if n_pairs < 2 or n_pairs % 2 == 1:
            raise ValueError("n_pairs must be a positive even number")
        g, half, count = self.generator, n_pairs // 2, self.classes.numel()
        pos = torch.randint(self.pair_classes.numel(), (half,), generator=g)
        left = torch.randint(count, (half,), generator=g)
        shift = torch.randint(count - 1, (half,), generator=g)
        right = torch.remainder(left + shift + 1, count)
        pairs: list[tuple[int, int]] = []
        for c in self.pair_classes[pos].tolist():
            members = self.members[c]
            order = torch.randperm(len(members), generator=g).tolist()
            pairs.append((members[order[0]], members[order[1]]))
        for a, b in zip(self.classes[left].tolist(), self.classes[right].tolist(), strict=True):
            ma, mb = self.members[a], self.members[b]
            i = int(torch.randint(len(ma), (1,), generator=g))
            j = int(torch.randint(len(mb), (1,), generator=g))
            pairs.append((ma[i], mb[j]))
        both = torch.tensor(pairs, dtype=torch.int64)
        label = (torch.arange(n_pairs) < half).to(torch.int64)
        return both[:, 0].clone(), both[:, 1].clone(), label


def pair_distance(e1: Tensor, e2: Tensor) -> Tensor:
    diff = e1 - e2
    squared = torch.einsum("pd,pd->p", diff, diff)
    zero = squared == 0
    safe = squared.masked_fill(zero, 1.0)
    return safe.sqrt().masked_fill(zero, 0.0)


def contrastive_loss(dist: Tensor, same: Tensor, margin: float = 1.0) -> Tensor:
    similar = same.to(dist.dtype)
    pull = 0.5 * dist.pow(2)
    push = 0.5 * F.relu(margin - dist).pow(2)
    return torch.mean(similar * pull + (1.0 - similar) * push)


class SiameseNet(nn.Module):
    def __init__(self, in_channels: int = 3, channels: int = 16, blocks: int = 3) -> None:
        super().__init__()
        self.embed = ConvEmbedder(in_channels, channels, blocks)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        a, b = self.embed(torch.cat((x1, x2), dim=0)).split([x1.shape[0], x2.shape[0]])
        return pair_distance(a, b)


def verify(dist: Tensor, threshold: float) -> Tensor:
    return torch.where(dist < threshold, 1, 0).to(torch.int64)


def one_shot_predict(support: Tensor, query: Tensor) -> Tensor:
    best = torch.zeros(query.shape[0], dtype=torch.int64, device=query.device)
    best_d = ((query - support[0]) ** 2).sum(1)
    for j in range(1, support.shape[0]):
        d = ((query - support[j]) ** 2).sum(1)
        closer = d < best_d
        best = torch.where(closer, j, best)
        best_d = torch.minimum(best_d, d)
    return best


def train_siamese(x: Tensor, y: Tensor, *, steps: int = 150, n_pairs: int = 64,
                  margin: float = 1.0, lr: float = 1e-3, channels: int = 16,
                  seed: int = 0) -> SiameseNet:
    torch.manual_seed(seed)
    net = SiameseNet(x.shape[1], channels).to(x.device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    pairs = PairSampler(y, seed=seed)
    net.train()
    for _ in range(steps):
        first, second, same = pairs.sample(n_pairs)
        dist = net(x[first.to(x.device)], x[second.to(x.device)])
        loss = contrastive_loss(dist, same.to(x.device), margin)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    net.eval()
    return net
