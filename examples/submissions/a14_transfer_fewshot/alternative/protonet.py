"""Prototypical networks, written from the handout."""

import torch
from episodes import EpisodeSampler
from torch import Tensor, nn


def prototypes(support: Tensor) -> Tensor:
    return support.sum(dim=1) / support.shape[1]


def proto_logits(query: Tensor, protos: Tensor) -> Tensor:
    qq = (query * query).sum(1, keepdim=True)
    cc = (protos * protos).sum(1)[None, :]
    return -(qq - 2.0 * query @ protos.T + cc)


class ConvEmbedder(nn.Module):
    def __init__(self, in_channels: int = 3, channels: int = 32, blocks: int = 3) -> None:
        super().__init__()
        mods: list[nn.Module] = []
        c_in = in_channels
        for _ in range(blocks):
            mods.extend([nn.Conv2d(c_in, channels, kernel_size=3, padding=1),
                         nn.BatchNorm2d(channels), nn.ReLU(inplace=True), nn.MaxPool2d(2)])
            c_in = channels
        mods.append(nn.Flatten())
        self.net = nn.Sequential(*mods)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def episode_loss(model: nn.Module, support: Tensor, query: Tensor) -> tuple[Tensor, float]:
    n_way, k = support.shape[0], support.shape[1]
    n_q = query.shape[1]
    images = torch.cat([support.reshape(-1, *support.shape[2:]),
                        query.reshape(-1, *query.shape[2:])], dim=0)
    z = model(images)
    zs, zq = z[:n_way * k], z[n_way * k:]
    logits = proto_logits(zq, prototypes(zs.view(n_way, k, -1)))
    target = torch.arange(n_way, device=z.device).repeat_interleave(n_q)
    loss = nn.functional.cross_entropy(logits, target)
    correct = (logits.argmax(-1) == target).sum().item()
    return loss, correct / target.numel()


def train_protonet(x: Tensor, y: Tensor, *, n_way: int = 5, k_shot: int = 5, n_query: int = 5,
                   episodes: int = 200, lr: float = 1e-3, channels: int = 32,
                   seed: int = 0) -> ConvEmbedder:
    torch.manual_seed(seed)
    net = ConvEmbedder(x.shape[1], channels).to(x.device)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    episodes_of = EpisodeSampler(y, n_way, k_shot, n_query, seed=seed)
    for _ in range(episodes):
        sup, qry, _ = episodes_of.sample()
        net.train()
        loss, _ = episode_loss(net, x[sup.to(x.device)], x[qry.to(x.device)])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    net.eval()
    return net


def evaluate_protonet(model: nn.Module, x: Tensor, y: Tensor, *, n_way: int = 5,
                      k_shot: int = 1, n_query: int = 15, episodes: int = 100,
                      seed: int = 0) -> float:
    model.eval()
    episodes_of = EpisodeSampler(y, n_way, k_shot, n_query, seed=seed)
    accs = []
    with torch.no_grad():
        for _ in range(episodes):
            sup, qry, _ = episodes_of.sample()
            accs.append(episode_loss(model, x[sup.to(x.device)], x[qry.to(x.device)])[1])
    return float(sum(accs) / len(accs))
