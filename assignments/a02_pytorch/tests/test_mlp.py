"""The MLP's structure, its forward pass and its parameter count."""

import torch
from mlp import MLP, count_parameters


def test_forward_matches_a_sequential_with_the_same_weights() -> None:
    net = MLP(6, (5, 4), 3)
    ref = torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
        torch.nn.Linear(4, 3),
    )
    names = ["hidden.0", "hidden.1", "out"]
    ref.load_state_dict({f"{i * 2}.{p}": net.state_dict()[f"{n}.{p}"]
                         for i, n in enumerate(names) for p in ("weight", "bias")})
    x = torch.randn(7, 6)
    torch.testing.assert_close(net(x), ref(x))
    assert count_parameters(net) == 6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3


def test_swish_activation_and_images() -> None:
    net = MLP(64, (8,), 10, activation="swish", dropout=0.5)
    assert "acts.0.beta" in net.state_dict()
    net.eval()
    assert net(torch.rand(2, 1, 8, 8)).shape == (2, 10)
