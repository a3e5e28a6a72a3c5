"""Graded: spiking networks built with norse and trained by BPTT (part "training", 15 points)."""

import numpy as np
import torch
import torch.nn.functional as F
from norse.torch import LICell, LIFCell, LIFParameters, LIParameters
from norse.torch.functional.encode import poisson_encode

from autograder.testing import assert_close, part, points
from dnn.data import load_digits

TOL = {"rtol": 1e-5, "atol": 1e-6}
KW = {"tau_syn_inv": 180.0, "tau_mem_inv": 90.0, "v_th": 0.6, "alpha": 50.0}


def cells():
    p = LIFParameters(tau_syn_inv=torch.as_tensor(KW["tau_syn_inv"]),
                      tau_mem_inv=torch.as_tensor(KW["tau_mem_inv"]),
                      v_th=torch.as_tensor(KW["v_th"]), alpha=torch.as_tensor(KW["alpha"]))
    li = LIParameters(tau_syn_inv=torch.as_tensor(KW["tau_syn_inv"]),
                      tau_mem_inv=torch.as_tensor(KW["tau_mem_inv"]))
    return LIFCell(p), LICell(li)


def reference_mlp(layers: dict[str, torch.nn.Module], spikes: torch.Tensor, conv: bool = False):
    """The network of the handout from norse's cells: (T, B, ...) -> (T, B, C)."""
    lif, readout = cells()
    s1 = s2 = None
    out = []
    for x in spikes:
        if conv:
            z, s1 = lif(layers["conv"](x), s1)
            v, s2 = readout(layers["fc"](F.max_pool2d(z, 2).flatten(1)), s2)
        else:
            z, s1 = lif(layers["fc1"](x), s1)
            v, s2 = readout(layers["fc2"](z), s2)
        out.append(v)
    return torch.stack(out)


def state_dict_of(layers: dict[str, torch.nn.Module]) -> dict[str, torch.Tensor]:
    return {f"{name}.{k}": v for name, m in layers.items() for k, v in m.state_dict().items()}


def mlp_layers(n_in: int, n_hidden: int, n_out: int, device: str, gain: float = 3.0):
    torch.manual_seed(n_in + n_hidden)
    layers = {"fc1": torch.nn.Linear(n_in, n_hidden), "fc2": torch.nn.Linear(n_hidden, n_out)}
    with torch.no_grad():
        layers["fc1"].weight.mul_(gain)   # enough drive that the hidden layer spikes
    return {k: m.to(device) for k, m in layers.items()}


def spikes_like(rng: np.random.Generator, device: str, *shape: int, p: float = 0.3):
    return torch.as_tensor(rng.random(shape) < p, dtype=torch.float32, device=device)


@part("training")
@points(4)
def test_spiking_mlp_matches_norse(student, rng, device):
    """SpikingMLP (fc1 -> LIFCell -> fc2 -> LICell) matches the same network of norse cells with
    copied weights, and starts from a fresh state at every call."""
    layers = mlp_layers(10, 16, 4, device)
    model = student.snn_models.SpikingMLP(10, 16, 4, **KW)
    model.load_state_dict(state_dict_of(layers))
    model.to(device)
    x = spikes_like(rng, device, 25, 3, 10)
    want = reference_mlp(layers, x).detach()
    assert_close(model(x), want, **TOL, name="readout voltages")
    assert_close(model(x), want, **TOL, name="readout voltages of a second call")


@part("training")
@points(3)
def test_conv_snn_matches_norse(student, rng, device):
    """ConvSNN (conv 3x3 -> LIFCell -> 2x2 max pool -> fc -> LICell) matches the same network of
    norse cells with copied weights."""
    torch.manual_seed(1)
    layers = {"conv": torch.nn.Conv2d(1, 6, 3, padding=1), "fc": torch.nn.Linear(96, 5)}
    with torch.no_grad():
        layers["conv"].weight.mul_(4.0)
    layers = {k: m.to(device) for k, m in layers.items()}
    model = student.snn_models.ConvSNN(5, 6, **KW)
    model.load_state_dict(state_dict_of(layers))
    model.to(device)
    x = spikes_like(rng, device, 12, 2, 1, 8, 8)
    assert_close(model(x), reference_mlp(layers, x, conv=True).detach(), **TOL,
                 name="readout voltages")


@part("training")
@points(2)
def test_max_over_time_and_predict(student, rng, device):
    """max_over_time takes the max over all steps or the last `window` steps; predict is its argmax
    on the model's output."""
    v = torch.as_tensor(rng.normal(size=(9, 4, 3)), device=device)
    assert_close(student.snn_models.max_over_time(v), v.max(0).values, name="max over time")
    assert_close(student.snn_models.max_over_time(v, 3), v[-3:].max(0).values, name="window 3")
    assert_close(student.snn_models.max_over_time(v, 9), v.max(0).values, name="window T")
    layers = mlp_layers(10, 16, 4, device)
    model = student.snn_models.SpikingMLP(10, 16, 4, **KW)
    model.load_state_dict(state_dict_of(layers))
    model.to(device)
    x = spikes_like(rng, device, 20, 30, 10)
    want = reference_mlp(layers, x).detach()[-5:].max(0).values.argmax(1)
    got = student.snn_models.predict(model, x, 5)
    assert_close(got, want, name="predicted classes")


@part("training")
@points(3)
def test_train_snn_loop(student, rng, device):
    """train_snn visits every example once per epoch in the specified order (70 examples, batch 32:
    3 batches, the last of 6), its first loss is the cross-entropy of the first batch of
    randperm(seed), it is repeatable, and the model ends in eval mode."""
    layers = mlp_layers(10, 16, 3, device)
    x = spikes_like(rng, device, 15, 70, 10)
    y = torch.as_tensor(rng.integers(0, 3, 70), device=device)
    runs = []
    for _ in range(2):
        model = student.snn_models.SpikingMLP(10, 16, 3, **KW)
        model.load_state_dict(state_dict_of(layers))
        model.to(device)
        runs.append(student.snn_models.train_snn(model, x, y, epochs=2, lr=1e-3, batch_size=32,
                                                 seed=5))
    losses = runs[0]
    assert isinstance(losses, list) and len(losses) == 6, (
        "train_snn should return one loss per batch, the last partial batch included")
    first = torch.randperm(70, generator=torch.Generator().manual_seed(5))[:32].to(device)
    scores = reference_mlp(layers, x[:, first]).max(0).values
    assert_close(losses[0], F.cross_entropy(scores, y[first]).item(), rtol=1e-4,
                 name="the first batch's loss")
    assert_close(runs[1], losses, rtol=1e-5, name="the losses of a second, identical run")
    assert model.training is False, "the trained model should be in eval mode"


@part("training")
@points(3)
def test_mlp_learns_spiking_digits(student, device):
    """A SpikingMLP(64, 64, 10) trained with train_snn (3 epochs, lr 0.02) on Poisson-encoded
    digits (T = 10, f_max = 800 Hz) reaches 75% accuracy on held-out digits."""
    data = load_digits()
    encode = {name: poisson_encode(torch.as_tensor(data[name].x, dtype=torch.float32), 10,
                                   f_max=800.0, generator=torch.Generator().manual_seed(i))
              for i, name in enumerate(("train", "test"))}
    model = student.snn_models.SpikingMLP(64, 64, 10)
    model.load_state_dict(state_dict_of(mlp_layers(64, 64, 10, "cpu", gain=1.0)))  # torch's init
    model.to(device)
    student.snn_models.train_snn(model, encode["train"].to(device),
                                 torch.as_tensor(data["train"].y, device=device), epochs=3,
                                 lr=0.02, batch_size=64)
    pred = student.snn_models.predict(model, encode["test"].to(device)).cpu().numpy()
    accuracy = float((pred == data["test"].y).mean())
    assert accuracy >= 0.75, f"test accuracy {accuracy:.2f} is below 0.75"
