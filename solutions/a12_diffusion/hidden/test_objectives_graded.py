"""Graded: epsilon, x0 and v prediction and the conversions between them against diffusers'
get_velocity and its handling of prediction_type (part "objectives", 11 points)."""

import pytest
import torch
from diffusers import DDPMScheduler

from autograder.testing import StudentError, assert_close, part, points, watch_call

TYPES = ("epsilon", "sample", "v_prediction")


def schedule(kind="linear", num=100, prediction_type="epsilon"):
    sch = DDPMScheduler(num, beta_start=1e-3, beta_end=0.2, beta_schedule=kind,
                        prediction_type=prediction_type, clip_sample=False)
    sch.alphas_cumprod = torch.cumprod(1 - sch.betas.double(), 0)
    return sch, sch.alphas_cumprod.clone()


def batch(rng, device, shape=(6, 2), num=100):
    x0 = torch.as_tensor(rng.standard_normal(shape), device=device)
    noise = torch.as_tensor(rng.standard_normal(shape), device=device)
    t = torch.as_tensor(rng.integers(0, num, shape[0]), device=device)
    return x0, noise, t


@part("objectives")
@points(2)
def test_velocity_matches_get_velocity(student, rng, device):
    """velocity(x0, noise, t, abar) equals DDPMScheduler.get_velocity, for points and images."""
    for kind in ("linear", "squaredcos_cap_v2"):
        sch, abar = schedule(kind)
        for shape in ((6, 2), (3, 2, 4, 4)):
            x0, noise, t = batch(rng, device, shape)
            got = student.parameterization.velocity(x0, noise, t, abar)
            assert_close(got, sch.get_velocity(x0, noise, t), rtol=1e-10, atol=1e-12,
                         name=f"v of shape {shape}, {kind}")


@part("objectives")
@points(2)
def test_training_target(student, rng, device):
    """training_target is the noise, x_0 or v for the three prediction types (default epsilon)."""
    sch, abar = schedule()
    x0, noise, t = batch(rng, device)
    wants = {"epsilon": noise, "sample": x0, "v_prediction": sch.get_velocity(x0, noise, t)}
    for kind, want in wants.items():
        got = student.parameterization.training_target(x0, noise, t, abar, kind)
        assert_close(got, want, rtol=1e-10, atol=1e-12, name=f"the {kind} target")
    assert_close(student.parameterization.training_target(x0, noise, t, abar), noise,
                 rtol=1e-12, name="the default target")


@part("objectives")
@points(2)
def test_predict_x0_matches_diffusers(student, rng, device):
    """predict_x0 equals the pred_original_sample of DDPMScheduler.step for each prediction
    type, on model outputs that are not the exact target."""
    for kind in TYPES:
        sch, abar = schedule("squaredcos_cap_v2", prediction_type=kind)
        for step in (0, 37, 99):
            out = torch.as_tensor(rng.standard_normal((5, 3)), device=device)
            xt = torch.as_tensor(rng.standard_normal((5, 3)), device=device)
            t = torch.full((5,), step, device=device)
            want = sch.step(out, step, xt, generator=torch.Generator().manual_seed(0))
            call = watch_call(student.parameterization.predict_x0, out, xt, t, abar, kind)
            assert not call.changed, f"predict_x0 modified {call.changed} in place"
            assert_close(call.result, want.pred_original_sample, rtol=1e-9, atol=1e-10,
                         name=f"x0 from {kind} at t={step}")


@part("objectives")
@points(2)
def test_predict_eps_and_round_trips(student, rng, device):
    """predict_eps recovers the noise and predict_x0 recovers x_0 from each prediction type's
    exact target at x_t = q_sample(x_0, t, noise); predict_eps of any output is consistent with
    x_t = sqrt(abar) x0_hat + sqrt(1 - abar) eps_hat."""
    sch, abar = schedule()
    x0, noise, t = batch(rng, device, (8, 3))
    xt = sch.add_noise(x0, noise, t)
    targets = {"epsilon": noise, "sample": x0, "v_prediction": sch.get_velocity(x0, noise, t)}
    for kind, target in targets.items():
        eps = student.parameterization.predict_eps(target, xt, t, abar, kind)
        assert_close(eps, noise, rtol=1e-7, atol=1e-8, name=f"eps from the exact {kind}")
        x0_hat = student.parameterization.predict_x0(target, xt, t, abar, kind)
        assert_close(x0_hat, x0, rtol=1e-7, atol=1e-7, name=f"x0 from the exact {kind}")
    out = torch.as_tensor(rng.standard_normal((8, 3)), device=device)
    a = abar.to(device)[t][:, None]
    for kind in TYPES:
        eps = student.parameterization.predict_eps(out, xt, t, abar, kind)
        x0_hat = student.parameterization.predict_x0(out, xt, t, abar, kind)
        assert_close(a.sqrt() * x0_hat + (1 - a).sqrt() * eps, xt, rtol=1e-8, atol=1e-9,
                     name=f"sqrt(abar) x0_hat + sqrt(1 - abar) eps_hat for {kind}")


@part("objectives")
@points(2)
def test_diffusion_loss(student, rng, device):
    """diffusion_loss is the mean squared error to the prediction type's target, a scalar
    tensor."""
    sch, abar = schedule()
    x0, noise, t = batch(rng, device, (4, 2, 3))
    out = torch.as_tensor(rng.standard_normal((4, 2, 3)), device=device)
    targets = {"epsilon": noise, "sample": x0, "v_prediction": sch.get_velocity(x0, noise, t)}
    for kind, target in targets.items():
        got = student.parameterization.diffusion_loss(out, x0, noise, t, abar, kind)
        assert tuple(got.shape) == (), "the loss should be a scalar"
        assert_close(got, ((out - target) ** 2).mean(), rtol=1e-10, name=f"the {kind} loss")


@part("objectives")
@points(1)
def test_unknown_prediction_type(student, rng, device):
    """predict_x0, predict_eps and training_target raise ValueError for an unknown type."""
    _, abar = schedule()
    x0, noise, t = batch(rng, device)
    calls = [("predict_x0", (x0, noise, t, abar, "v")), ("predict_eps", (x0, noise, t, abar, "x0")),
             ("training_target", (x0, noise, t, abar, "noise"))]
    for name, args in calls:
        with pytest.raises(StudentError) as raised:
            getattr(student.parameterization, name)(*args)
        assert raised.value.type_name == "ValueError", f"{name} should reject {args[-1]!r}"
