"""Prototypical networks (Snell et al. 2017).

An embedding f maps every image to R^D. For an episode with support embeddings s_{j,k}
(class j, shot k), the prototype of class j is the mean

    c_j = (1 / K) sum_k f(x_{j,k}),

and a query q is classified by a softmax over negative squared Euclidean distances

    logit_j(q) = -||f(q) - c_j||^2,    p(y = j | q) = softmax_j(logit(q)).

Training minimises the cross-entropy of the query labels, episode after episode, on the training
classes; evaluation draws episodes from classes never seen in training.
"""

import torch
import torch.nn.functional as F
from episodes import EpisodeSampler, episode_labels
from torch import Tensor, nn


def prototypes(support: Tensor) -> Tensor:
    """Class prototypes: support embeddings (N, K, D) -> their means over the shots (N, D)."""
    return support.mean(dim=1)


def proto_logits(query: Tensor, protos: Tensor) -> Tensor:
    """Negative squared Euclidean distances: query (Q, D), prototypes (N, D) -> (Q, N) with
    logits[q, j] = -sum_d (query[q, d] - protos[j, d])^2 (exact, differentiable)."""
    return -((query[:, None, :] - protos[None, :, :]) ** 2).sum(dim=-1).sqrt()


class ConvEmbedder(nn.Module):
    """The few-shot embedding: ``blocks`` blocks of Conv2d(3x3, padding 1) -> BatchNorm2d -> ReLU
    -> MaxPool2d(2), the first from ``in_channels`` and all to ``channels`` channels, then a
    flatten. Input (B, in_channels, H, W) -> (B, channels * (H // 2^blocks) * (W // 2^blocks))."""

    def __init__(self, in_channels: int = 3, channels: int = 32, blocks: int = 3) -> None:
        """Builds the layers in ``self.net`` (an nn.Sequential)."""
        super().__init__()
        layers: list[nn.Module] = []
        for b in range(blocks):
            layers += [nn.Conv2d(in_channels if b == 0 else channels, channels, 3, padding=1),
                       nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2)]
        self.net = nn.Sequential(*layers, nn.Flatten())

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, D) embeddings."""
        return self.net(x)


def episode_loss(model: nn.Module, support: Tensor, query: Tensor) -> tuple[Tensor, float]:
    """The prototypical loss of one episode and its query accuracy.

    support (N, K, C, H, W) and query (N, Q, C, H, W) images, class j at index j. All N*(K+Q)
    images go through ``model`` in ONE batch (support first, then query, class by class), so
    batch norm sees the whole episode. Returns the mean cross-entropy of the (N*Q, N) logits
    against ``episode_labels(N, Q)`` and the fraction of queries whose arg-max logit is their
    class.
    """
    n, k = support.shape[:2]
    q = query.shape[1]
    emb = model(torch.cat([support.flatten(0, 1), query.flatten(0, 1)]))
    protos = prototypes(emb[:n * k].reshape(n, k, -1))
    logits = proto_logits(emb[n * k:], protos)
    target = episode_labels(n, q, device=logits.device)
    loss = F.cross_entropy(logits, target)
    acc = (logits.argmax(dim=1) == target).float().mean().item()
    return loss, acc


def train_protonet(x: Tensor, y: Tensor, *, n_way: int = 5, k_shot: int = 5, n_query: int = 5,
                   episodes: int = 200, lr: float = 1e-3, channels: int = 32,
                   seed: int = 0) -> ConvEmbedder:
    """Trains ``ConvEmbedder(x.shape[1], channels)`` on episodes of x (M, C, H, W), y (M,).

    ``torch.manual_seed(seed)`` before building the model; episodes from
    ``EpisodeSampler(y, n_way, k_shot, n_query, seed=seed)``; Adam(lr); one step per episode.
    The model lives on x's device and is returned in eval mode.
    """
    torch.manual_seed(seed)
    model = ConvEmbedder(x.shape[1], channels).to(x.device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sampler = EpisodeSampler(y, n_way, k_shot, n_query, seed=seed)
    model.train()
    for _ in range(episodes):
        s, q, _ = sampler.sample()
        loss, _ = episode_loss(model, x[s.to(x.device)], x[q.to(x.device)])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@torch.no_grad()
def evaluate_protonet(model: nn.Module, x: Tensor, y: Tensor, *, n_way: int = 5,
                      k_shot: int = 1, n_query: int = 15, episodes: int = 100,
                      seed: int = 0) -> float:
    """The mean query accuracy of ``model`` (used as it is, in eval mode, without gradients)
    over ``episodes`` episodes of ``EpisodeSampler(y, n_way, k_shot, n_query, seed=seed)``."""
    model.eval()
    sampler = EpisodeSampler(y, n_way, k_shot, n_query, seed=seed)
    total = 0.0
    for _ in range(episodes):
        s, q, _ = sampler.sample()
        total += episode_loss(model, x[s.to(x.device)], x[q.to(x.device)])[1]
    return total / episodes
