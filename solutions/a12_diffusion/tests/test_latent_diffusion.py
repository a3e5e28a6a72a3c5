"""The digits autoencoder, the latent scaling, encoding and decoding, and a short latent run."""

import torch
from denoiser import Denoiser
from latent_diffusion import (
    DigitAutoencoder,
    decode_latents,
    encode_latents,
    latent_scaling,
    sample_latent_diffusion,
    scale_latents,
    train_autoencoder,
    train_latent_denoiser,
    unscale_latents,
)
from noise_schedule import alphas_cumprod, linear_betas

torch.set_num_threads(1)


def test_autoencoder_shapes_and_training() -> None:
    torch.manual_seed(0)
    ae = DigitAutoencoder(latent_dim=3, hidden=16)
    x = torch.rand(40, 64)
    assert ae.encode(x).shape == (40, 3) and ae(x).shape == (40, 64)
    assert isinstance(ae.decoder[-1], torch.nn.Sigmoid)
    first = train_autoencoder(ae, x, steps=60, batch_size=16, lr=1e-2, seed=0)
    assert len(first) == 60 and ae.training
    assert sum(first[-10:]) < sum(first[:10])
    torch.manual_seed(0)
    again = DigitAutoencoder(latent_dim=3, hidden=16)
    assert train_autoencoder(again, x, steps=60, batch_size=16, lr=1e-2, seed=0) == first


def test_latent_scaling_and_its_inverse() -> None:
    z = 3.0 + 2.0 * torch.randn(100, 4, dtype=torch.float64)
    shift, scale = latent_scaling(z)
    assert abs(shift - float(z.mean())) < 1e-12 and abs(scale * float(z.std()) - 1) < 1e-12
    copy = z.clone()
    scaled = scale_latents(z, shift, scale)
    assert abs(float(scaled.mean())) < 1e-9 and abs(float(scaled.std()) - 1) < 1e-9
    torch.testing.assert_close(unscale_latents(scaled, shift, scale), z)
    torch.testing.assert_close(z, copy)


def test_encode_and_decode_run_in_eval_mode() -> None:
    torch.manual_seed(0)
    ae = DigitAutoencoder(latent_dim=2, hidden=8)
    ae.encoder[1].running_mean.fill_(0.5)  # eval mode uses these, train mode the batch's
    x = torch.rand(6, 64)
    before = {k: v.clone() for k, v in ae.state_dict().items()}
    z = encode_latents(ae, x, 0.1, 2.0)
    assert not ae.training and not z.requires_grad
    torch.testing.assert_close(z, (ae.encoder(x) - 0.1).detach() * 2.0)
    ae.train()
    torch.testing.assert_close(decode_latents(ae, z, 0.1, 2.0), ae.eval()(x).detach())
    for key, value in ae.state_dict().items():
        torch.testing.assert_close(value, before[key])


def test_latent_diffusion_runs_and_repeats() -> None:
    torch.manual_seed(0)
    ae, net = DigitAutoencoder(latent_dim=3, hidden=16), Denoiser(dim=3, hidden=16, emb_dim=8)
    x = torch.rand(50, 64)
    abar = alphas_cumprod(linear_betas(20, 1e-3, 0.3)).float()
    shift, scale = train_latent_denoiser(ae, net, x, abar, steps=5, batch_size=8)
    raw = encode_latents(ae, x)
    assert (shift, scale) == latent_scaling(raw)
    out = sample_latent_diffusion(ae, net, 7, abar, shift, scale, num_steps=4, seed=1)
    assert out.shape == (7, 64) and float(out.min()) >= 0 and float(out.max()) <= 1
    again = sample_latent_diffusion(ae, net, 7, abar, shift, scale, num_steps=4, seed=1)
    torch.testing.assert_close(again, out)
