"""Graded: the MLP as an nn.Module (part "modules", 15 points)."""

import torch
from torch import nn

from autograder.testing import assert_close, part, points


def reference_mlp(widths: list[int], activation: str = "relu") -> nn.Sequential:
    """Linear/activation pairs as a torch Sequential; Swish as x * sigmoid(beta x)."""

    class RefSwish(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.beta = nn.Parameter(torch.randn(n))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * torch.sigmoid(self.beta * x)

    layers: list[nn.Module] = [nn.Flatten()]
    for fan_in, fan_out in zip(widths[:-2], widths[1:-1], strict=True):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU() if activation == "relu" else
                   RefSwish(fan_out)]
    layers.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*layers)


def named_params(ref: nn.Sequential) -> dict[str, torch.Tensor]:
    """The reference's parameters under the MLP's state_dict names."""
    out: dict[str, torch.Tensor] = {}
    hidden = 0
    linears = [m for m in ref if isinstance(m, nn.Linear)]
    for module in ref:
        if isinstance(module, nn.Linear):
            prefix = "out" if module is linears[-1] else f"hidden.{hidden}"
            out[f"{prefix}.weight"], out[f"{prefix}.bias"] = module.weight, module.bias
        elif hasattr(module, "beta"):
            out[f"acts.{hidden}.beta"] = module.beta
            hidden += 1
        elif isinstance(module, nn.ReLU):
            hidden += 1
    return out


def student_keys(ref: nn.Sequential) -> dict[str, torch.Tensor]:
    """A copy of the reference's weights under the MLP's state_dict names."""
    return {k: v.detach().clone() for k, v in named_params(ref).items()}


@part("modules")
@points(5)
def test_forward_with_copied_weights(student, rng, device):
    """MLP(10, (8, 6), 4) has the documented state_dict keys and computes the same logits as
    torch layers with the same weights, for (N, 10) rows and for (N, 1, 2, 5) inputs; with no
    hidden layers (hidden = ()) it is a single Linear layer."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    ref = reference_mlp([10, 8, 6, 4]).to(device)
    net = student.mlp.MLP(10, (8, 6), 4)
    weights = student_keys(ref)
    assert set(net.state_dict()) == set(weights), "the state_dict keys are not the documented ones"
    net.load_state_dict(weights)
    net.to(device)
    net.eval()
    x = torch.from_numpy(rng.standard_normal((7, 10))).float().to(device)
    assert_close(net(x).cpu(), ref(x).detach().cpu(), rtol=1e-5, atol=1e-6, name="logits")
    images = x.reshape(7, 1, 2, 5)
    assert_close(net(images).cpu(), ref(x).detach().cpu(), rtol=1e-5, atol=1e-6,
                 name="logits of (N, 1, 2, 5) inputs")
    linear = reference_mlp([10, 4]).to(device)  # hidden = (): logistic regression
    flat = student.mlp.MLP(10, (), 4)
    weights = student_keys(linear)
    assert set(flat.state_dict()) == set(weights), "MLP(10, (), 4) has only out.weight, out.bias"
    flat.load_state_dict(weights)
    flat.to(device)
    assert_close(flat(x).cpu(), linear(x).detach().cpu(), rtol=1e-5, atol=1e-6,
                 name="logits of MLP(10, (), 4)")


@part("modules")
@points(4)
def test_swish_mlp_gradients(student, rng):
    """With activation="swish" the gradients of every weight, beta and the input match torch
    autograd on the same network (float64)."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    ref = reference_mlp([5, 7, 6, 3], activation="swish").double()
    net = student.mlp.MLP(5, (7, 6), 3, activation="swish")
    net.double()
    weights = student_keys(ref)
    net.load_state_dict(weights)
    x = torch.from_numpy(rng.standard_normal((4, 5))).requires_grad_(True)
    up = torch.from_numpy(rng.standard_normal((4, 3)))
    grads = student.lib("dnn.autograd").gradients(net, [x.detach()], up)
    (ref(x) * up).sum().backward()
    assert_close(grads["input0"], x.grad, rtol=1e-9, atol=1e-12, name="dL/dx")
    ref_grads = {k: p.grad for k, p in named_params(ref).items()}
    for name, want in ref_grads.items():
        assert name in grads, f"no gradient for {name}"
        assert_close(grads[name], want, rtol=1e-9, atol=1e-12, name=f"dL/d{name}")


@part("modules")
@points(3)
def test_dropout_only_in_training(student, rng):
    """Dropout is active in train mode (outputs vary; it follows each activation and nothing
    else, so with the same torch seed the masks are those of nn.Dropout there) and off in eval
    mode (deterministic, equal to the network without dropout); dropout=0 changes nothing."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    ref = reference_mlp([20, 50, 5])
    net = student.mlp.MLP(20, (50,), 5, dropout=0.5)
    net.load_state_dict(student_keys(ref))
    x = torch.from_numpy(rng.standard_normal((16, 20))).float()
    net.train()
    a, b = net(x), net(x)
    assert not torch.allclose(a, b), "in train mode, dropout should make two passes differ"
    seed = int(rng.integers(1 << 30))
    student.lib("dnn.autograd").torch.manual_seed(seed)  # the sandbox's global torch RNG
    got = net(x)
    torch.manual_seed(seed)
    dropped = nn.Sequential(*ref[:-1], nn.Dropout(0.5), ref[-1]).train()
    assert_close(got, dropped(x).detach(), rtol=1e-5, atol=1e-6,
                 name="train-mode logits with dropout after the activation only")
    net.eval()
    assert_close(net(x), ref(x).detach(), rtol=1e-5, atol=1e-6, name="eval-mode logits")
    plain = student.mlp.MLP(20, (50,), 5, dropout=0.0)
    plain.load_state_dict(student_keys(ref))
    plain.train()
    assert_close(plain(x), ref(x).detach(), rtol=1e-5, atol=1e-6, name="train mode, dropout=0")


@part("modules")
@points(3)
def test_count_parameters(student):
    """count_parameters counts trainable scalars (betas included) and skips frozen ones."""
    count = student.mlp.count_parameters
    net = student.mlp.MLP(64, (32, 16), 10)
    full = 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    assert count(net) == full, "wrong count for MLP(64, (32, 16), 10)"
    assert count(student.mlp.MLP(64, (32, 16), 10, activation="swish")) == full + 48, (
        "Swish betas are trainable parameters too"
    )
    net.out.requires_grad_(False)
    assert count(net) == full - 170, "frozen parameters (requires_grad False) are not counted"
