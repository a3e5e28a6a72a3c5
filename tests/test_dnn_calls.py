"""dnn.calls: the in-sandbox helpers that graded tests reach with student.lib("dnn.calls")."""

import torch

from dnn.calls import gradients_of_call, parameter_gradients_of_call


def _penalty(critic: torch.nn.Module, x: torch.Tensor, create_graph: bool) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=create_graph)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def test_parameter_gradients_of_call_matches_autograd() -> None:
    torch.manual_seed(0)
    critic = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1))
    x = torch.randn(7, 2)
    got = parameter_gradients_of_call(_penalty, critic, x, create_graph=True)
    want = torch.autograd.grad(_penalty(critic, x, True), list(critic.parameters()),
                               allow_unused=True)
    assert set(got) == {"output", "0.weight", "0.bias", "2.weight", "2.bias"}
    for (name, _), w in zip(critic.named_parameters(), want, strict=True):
        assert torch.allclose(got[name], torch.zeros_like(got[name]) if w is None else w), name
    assert torch.allclose(got["output"], _penalty(critic, x, True).detach())


def test_parameter_gradients_of_call_without_a_graph_gives_zeros() -> None:
    critic = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    got = parameter_gradients_of_call(_penalty, critic, torch.randn(4, 2), create_graph=False)
    assert all(float(got[n].abs().sum()) == 0.0 for n, _ in critic.named_parameters())
    # the last bias never reaches the input gradient: zeros even with the graph
    got = parameter_gradients_of_call(_penalty, critic, torch.randn(4, 2), create_graph=True)
    assert float(got["2.bias"].abs().sum()) == 0.0 and float(got["0.weight"].abs().sum()) > 0


def test_gradients_of_call_input_gradients() -> None:
    x = torch.randn(3, 4, dtype=torch.float64)
    got = gradients_of_call(lambda a: a ** 2, {"a": x}, torch.ones(3, 4, dtype=torch.float64))
    assert torch.allclose(got["a"], 2 * x) and torch.allclose(got["output"], x ** 2)
