"""The spiking MLP against norse cells with the same weights; a short training run."""

import torch
from norse.torch import LICell, LIFCell
from snn_models import SpikingMLP, predict, train_snn

torch.set_num_threads(1)


def test_spiking_mlp_matches_norse() -> None:
    torch.manual_seed(0)
    model = SpikingMLP(8, 12, 3)
    with torch.no_grad():
        model.fc1.weight.mul_(3.0)
    lif, readout = LIFCell(), LICell()
    x = (torch.rand(20, 4, 8) < 0.3).float()
    s1 = s2 = None
    want = []
    for xt in x:
        z, s1 = lif(model.fc1(xt), s1)
        v, s2 = readout(model.fc2(z), s2)
        want.append(v)
    torch.testing.assert_close(model(x), torch.stack(want))


def test_training_fits_a_small_set() -> None:
    torch.manual_seed(0)
    x = (torch.rand(20, 40, 6) < torch.linspace(0.05, 0.6, 6)).float()
    y = torch.arange(40) % 2
    x[:, y == 1, :3] = 0.0   # class 1 only fires on the last three inputs
    model = SpikingMLP(6, 16, 2, v_th=0.5)
    losses = train_snn(model, x, y, epochs=20, lr=0.05, batch_size=16)
    assert len(losses) == 20 * 3
    assert (predict(model, x) == y).float().mean() >= 0.9
