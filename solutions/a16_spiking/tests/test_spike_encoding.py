"""Encoders against norse's encoders."""

import torch
from norse.torch.functional import encode as norse_encode
from norse.torch.functional.lif import LIFParameters
from spike_encoding import delta_encode, latency_encode, poisson_encode, spike_times

torch.set_num_threads(1)


def test_poisson_matches_norse_with_the_same_seed() -> None:
    x = torch.rand(4, 6)
    want = norse_encode.poisson_encode(x, 30, f_max=400, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(poisson_encode(x, 30, f_max=400, seed=2), want)
    torch.testing.assert_close(poisson_encode(x, 30, f_max=400, seed=2), want)


def test_latency_matches_norse() -> None:
    x = torch.rand(3, 5, dtype=torch.float64) * 4
    p = LIFParameters(tau_mem_inv=torch.tensor(80.0, dtype=torch.float64),
                      v_th=torch.tensor(0.7, dtype=torch.float64))
    got = latency_encode(x, 30, tau_mem_inv=80.0, v_th=0.7)
    torch.testing.assert_close(got, norse_encode.spike_latency_lif_encode(x, 30, p=p))
    times = spike_times(got)
    assert times.dtype == torch.int64 and times.shape == (3, 5)


def test_delta_encode_ramp() -> None:
    ramp = torch.arange(10.0).unsqueeze(1) * torch.tensor([0.4, -1.0])
    out = delta_encode(ramp, 1.0)
    assert out[:, 0].tolist() == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert out[:, 1].tolist() == [0] + [-1] * 9
