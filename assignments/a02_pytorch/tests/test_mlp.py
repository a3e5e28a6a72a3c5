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


def test_no_hidden_layers_and_frozen_parameters() -> None:
    net = MLP(6, (), 3)
    assert set(net.state_dict()) == {"out.weight", "out.bias"}
    assert net(torch.randn(2, 6)).shape == (2, 3)
    deep = MLP(6, (5,), 3)
    deep.out.requires_grad_(False)
    assert count_parameters(deep) == 6 * 5 + 5


def test_dropout_only_after_the_activations() -> None:
    net = MLP(6, (5,), 3, dropout=0.5)
    ref = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                              torch.nn.Linear(5, 3))
    ref.load_state_dict({f"{i}.{p}": net.state_dict()[f"{n}.{p}"]
                         for i, n in ((0, "hidden.0"), (3, "out")) for p in ("weight", "bias")})
    x = torch.randn(8, 6)
    torch.manual_seed(3)
    got = net(x)
    torch.manual_seed(3)
    torch.testing.assert_close(got, ref(x))
