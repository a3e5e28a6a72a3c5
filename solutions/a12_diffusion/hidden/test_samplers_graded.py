"""Graded: the ancestral DDPM step against DDPMScheduler.step with the same noise, DDIM with
eta = 0 and eta > 0 against DDIMScheduler.step with fewer steps, and both sampling loops
against diffusers' loops with the same generator (part "samplers", 18 points)."""

import pytest
import torch
from diffusers import DDIMScheduler, DDPMScheduler
from shared_toys import draw, toys

from autograder.testing import StudentError, assert_close, part, points, watch_call

TYPES = ("epsilon", "sample", "v_prediction")
TOL = {"rtol": 1e-8, "atol": 1e-10}


def float64(sch):
    """diffusers keeps alpha_bar in float32: recompute it in float64 for a tight comparison."""
    sch.alphas_cumprod = torch.cumprod(1 - sch.betas.double(), 0)
    return sch, sch.alphas_cumprod.clone()


def ddpm(kind="linear", num=100, **kw):
    return float64(DDPMScheduler(num, beta_start=1e-3, beta_end=0.2, beta_schedule=kind,
                                 clip_sample=kw.pop("clip_sample", False), **kw))


def ddim(kind="linear", num=100, **kw):
    return float64(DDIMScheduler(num, beta_start=1e-3, beta_end=0.2, beta_schedule=kind,
                                 clip_sample=kw.pop("clip_sample", False), **kw))


def noise_of(seed, shape, device):
    """The noise diffusers draws with a CPU generator of this seed (randn_tensor)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=gen, dtype=torch.float64).to(device)




@part("samplers")
@points(4)
def test_ddpm_step_matches_diffusers(student, rng, device):
    """ddpm_step equals DDPMScheduler.step given the same noise, for every prediction type, both
    variance types and both schedules, at t = T-1, a middle t and t = 0 (no noise)."""
    for kind in ("linear", "squaredcos_cap_v2"):
        for pred in TYPES:
            for var in ("fixed_small", "fixed_large"):
                sch, abar = ddpm(kind, prediction_type=pred, variance_type=var)
                for t in (99, int(rng.integers(1, 99)), 0):
                    out, xt = draw(rng, (6, 2), device), draw(rng, (6, 2), device)
                    seed = int(rng.integers(1 << 30))
                    want = sch.step(out, t, xt, generator=torch.Generator().manual_seed(seed))
                    call = watch_call(student.samplers.ddpm_step, out, t, xt, abar,
                                      noise_of(seed, (6, 2), device), prediction_type=pred,
                                      variance_type=var)
                    assert not call.changed, f"ddpm_step modified {call.changed} in place"
                    x_prev, x0 = call.result
                    where = f"{pred}, {var}, {kind}, t={t}"
                    assert_close(x_prev, want.prev_sample, **TOL, name=f"x_(t-1) for {where}")
                    assert_close(x0, want.pred_original_sample, **TOL, name=f"x0_hat for {where}")


@part("samplers")
@points(2)
def test_ddpm_step_clips_x0(student, rng, device):
    """ddpm_step with clip_sample=c clamps x0_hat to [-c, c] before the posterior mean, as
    DDPMScheduler(clip_sample=True, clip_sample_range=c)."""
    for c in (1.0, 0.5):
        sch, abar = ddpm(clip_sample=True, clip_sample_range=c)
        out, xt = 3 * draw(rng, (8, 3), device), draw(rng, (8, 3), device)
        want = sch.step(out, 60, xt, generator=torch.Generator().manual_seed(3))
        x_prev, x0 = student.samplers.ddpm_step(out, 60, xt, abar, noise_of(3, (8, 3), device),
                                                clip_sample=c)
        assert_close(x0, want.pred_original_sample, **TOL, name=f"the clipped x0_hat, c={c}")
        assert_close(x_prev, want.prev_sample, **TOL, name=f"x_(t-1) with clip {c}")


@part("samplers")
@points(2)
def test_ddim_timesteps(student):
    """ddim_timesteps(T, n) equals DDIMScheduler.set_timesteps(n).timesteps ("leading") and
    raises ValueError for n = 0 or n > T."""
    for num, n in ((1000, 50), (100, 7), (100, 100), (10, 1), (99, 10)):
        sch = DDIMScheduler(num)
        sch.set_timesteps(n)
        got = student.samplers.ddim_timesteps(num, n)
        assert got.dtype == torch.int64, "the steps should be int64"
        assert_close(got, sch.timesteps, rtol=0, atol=0, name=f"the steps for T={num}, n={n}")
    for bad in ((100, 0), (100, 101)):
        with pytest.raises(StudentError) as raised:
            student.samplers.ddim_timesteps(*bad)
        assert raised.value.type_name == "ValueError", f"ddim_timesteps{bad} should raise"


def ddim_cases(student, rng, device, eta):
    for kind in ("linear", "squaredcos_cap_v2"):
        for pred in TYPES:
            sch, abar = ddim(kind, prediction_type=pred)
            sch.set_timesteps(10)
            for t in (sch.timesteps[0].item(), sch.timesteps[4].item(), sch.timesteps[-1].item()):
                out, xt = draw(rng, (5, 2), device), draw(rng, (5, 2), device)
                noise = draw(rng, (5, 2), device) if eta > 0 else None
                want = sch.step(out, t, xt, eta=eta, variance_noise=noise)
                x_prev, x0 = student.samplers.ddim_step(out, t, t - 10, xt, abar, eta=eta,
                                                        noise=noise, prediction_type=pred)
                where = f"eta={eta}, {pred}, {kind}, t={t}"
                assert_close(x_prev, want.prev_sample, **TOL, name=f"x_t' for {where}")
                assert_close(x0, want.pred_original_sample, **TOL, name=f"x0_hat for {where}")


@part("samplers")
@points(3)
def test_ddim_step_deterministic(student, rng, device):
    """ddim_step with eta = 0 equals DDIMScheduler.step (10 of 100 steps) for every prediction
    type and both schedules, down to t' < 0 (alpha_bar = 1), and ignores any noise given."""
    ddim_cases(student, rng, device, 0.0)
    _, abar = ddim()
    out, xt = draw(rng, (4, 2), device), draw(rng, (4, 2), device)
    a = student.samplers.ddim_step(out, 50, 40, xt, abar)[0]
    b = student.samplers.ddim_step(out, 50, 40, xt, abar, noise=draw(rng, (4, 2), device))[0]
    assert_close(b, a, rtol=1e-12, name="an eta = 0 step given noise")


@part("samplers")
@points(2)
def test_ddim_step_stochastic(student, rng, device):
    """ddim_step with eta = 0.5 and eta = 1 equals DDIMScheduler.step given the same
    variance noise, for every prediction type and both schedules."""
    ddim_cases(student, rng, device, 0.5)
    ddim_cases(student, rng, device, 1.0)


@part("samplers")
@points(1)
def test_ddim_step_needs_noise(student, rng, device):
    """ddim_step raises ValueError when eta > 0 and no noise is given."""
    _, abar = ddim()
    out, xt = draw(rng, (4, 2), device), draw(rng, (4, 2), device)
    with pytest.raises(StudentError) as raised:
        student.samplers.ddim_step(out, 50, 40, xt, abar, eta=0.3)
    assert raised.value.type_name == "ValueError", "eta > 0 without noise should raise"


@part("samplers")
@points(2)
def test_ddpm_sample_loop(student, rng, device):
    """ddpm_sample runs all T steps of a (fixed, toy) model as diffusers' DDPM loop does with a
    generator of the same seed, for epsilon and v prediction; repeated calls agree."""
    mine, theirs = toys(student, device, int(rng.integers(100)))
    for pred, var in (("epsilon", "fixed_small"), ("v_prediction", "fixed_large")):
        sch, abar = ddpm(prediction_type=pred, variance_type=var)
        x_T = draw(rng, (16, 2), device)
        seed = int(rng.integers(1 << 30))
        gen, x = torch.Generator(device=device).manual_seed(seed), x_T
        with torch.no_grad():
            for t in sch.timesteps:
                steps = torch.full((16,), int(t), device=device)
                x = sch.step(mine(x, steps), t, x, generator=gen).prev_sample
        got = student.samplers.ddpm_sample(theirs, x_T, abar, seed=seed, prediction_type=pred,
                                           variance_type=var)
        assert_close(got, x, rtol=1e-7, atol=1e-9, name=f"the DDPM sample ({pred}, {var})")
        again = student.samplers.ddpm_sample(theirs, x_T, abar, seed=seed, prediction_type=pred,
                                             variance_type=var)
        assert_close(again, got, rtol=1e-12, name="a second call with the same seed")


@part("samplers")
@points(2)
def test_ddim_sample_loop(student, rng, device):
    """ddim_sample with 20 of 100 steps equals diffusers' DDIM loop for eta = 0 and eta = 0.7
    (same generator seed), and eta = 0 does not depend on the seed."""
    mine, theirs = toys(student, device, int(rng.integers(100)))
    for eta in (0.0, 0.7):
        sch, abar = ddim("squaredcos_cap_v2")
        sch.set_timesteps(20)
        x_T = draw(rng, (16, 2), device)
        seed = int(rng.integers(1 << 30))
        gen, x = torch.Generator(device=device).manual_seed(seed), x_T
        with torch.no_grad():
            for t in sch.timesteps:
                steps = torch.full((16,), int(t), device=device)
                x = sch.step(mine(x, steps), t, x, eta=eta, generator=gen).prev_sample
        got = student.samplers.ddim_sample(theirs, x_T, abar, 20, eta=eta, seed=seed)
        assert_close(got, x, rtol=1e-7, atol=1e-9, name=f"the DDIM sample with eta={eta}")
        if eta == 0:
            other = student.samplers.ddim_sample(theirs, x_T, abar, 20, eta=eta, seed=seed + 1)
            assert_close(other, got, rtol=1e-12, name="an eta = 0 sample with another seed")
