"""What two graded files share: the same fixed ToyDenoiser in the judge and in the sandbox, and
Gaussian draws from the test's rng on the device."""

import torch

from dnn.diff_data import ToyDenoiser


def draw(rng, shape, device):
    return torch.as_tensor(rng.standard_normal(shape), device=device)


def toys(student, device, seed):
    """The same fixed ToyDenoiser here and in the sandbox (float64, on the device)."""
    mine = ToyDenoiser(2, 100, 3, seed).double().to(device)
    theirs = student.lib("dnn.diff_data").ToyDenoiser(2, 100, 3, seed)
    theirs.double()
    theirs.to(device)
    return mine, theirs
