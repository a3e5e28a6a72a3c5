"""Graded: Gaussian fits, the PSD square root and the Frechet distance against a float64
scipy.linalg.sqrtm reference, and an FID on the course feature network (part "frechet", 12
points)."""

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.data import load_digits
from dnn.gen_data import feature_net


def frechet_scipy(mu1, s1, mu2, s2):
    """The textbook formula with scipy's general matrix square root (float64)."""
    cross = scipy.linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2)
                 - 2 * np.trace(np.real(cross)))


def random_psd(rng, n, rank=None):
    a = rng.normal(size=(n, rank or n))
    return a @ a.T / n + (0 if rank else 0.1 * np.eye(n))


def t(x, device):
    return torch.as_tensor(x, device=device)


@part("frechet")
@points(2)
def test_gaussian_fit(student, rng, device):
    """gaussian_fit gives the mean and the unbiased covariance (numpy's np.cov), does not modify
    the features and raises ValueError for fewer than two rows."""
    x = rng.normal(size=(30, 5)) @ rng.normal(size=(5, 5)) + rng.normal(size=5)
    call = watch_call(student.frechet.gaussian_fit, t(x, device))
    assert not call.changed, "gaussian_fit modified the features"
    mu, sigma = call.result
    assert_close(mu, x.mean(0), rtol=1e-10, atol=1e-12, name="mean")
    assert_close(sigma, np.cov(x, rowvar=False), rtol=1e-10, atol=1e-12, name="covariance")
    mu, sigma = student.frechet.gaussian_fit(t(x[:2], device))  # two rows: the smallest fit
    assert_close(sigma, np.cov(x[:2], rowvar=False), rtol=1e-10, atol=1e-12,
                 name="covariance of two rows")
    with pytest.raises(StudentError, match="ValueError"):
        student.frechet.gaussian_fit(t(x[:1], device))


@part("frechet")
@points(2)
def test_sqrtm_psd_against_scipy(student, rng, device):
    """sqrtm_psd matches scipy.linalg.sqrtm on a full-rank PSD matrix; on a rank-deficient one
    it is the unique symmetric PSD root; its square gives the matrix back."""
    for rank in (None, 2):
        a = random_psd(rng, 6, rank)
        got = student.frechet.sqrtm_psd(t(a, device))
        if rank is None:
            assert_close(got, np.real(scipy.linalg.sqrtm(a)), rtol=1e-6, atol=1e-6,
                         name="square root (rank 6)")
        else:
            # scipy 1.17's sqrtm is inaccurate on singular matrices; the PSD root is unique,
            # so symmetric + PSD + squares back to a pins it down
            root = got.detach().cpu().numpy()
            assert_close(root, root.T, rtol=0, atol=1e-9, name="square root (rank 2), symmetry")
            assert np.linalg.eigvalsh(root).min() > -1e-6, "the rank-2 square root is not PSD"
        assert_close(got @ got, a, rtol=1e-8, atol=1e-8, name="the square of the root")


@part("frechet")
@points(3)
def test_frechet_distance_against_scipy(student, rng, device):
    """frechet_distance matches ||mu1 - mu2||^2 + tr(S1 + S2 - 2 sqrtm(S1 S2)) by scipy in
    float64, is symmetric, 0 between a Gaussian and itself, and handles a singular covariance."""
    mu1, mu2 = rng.normal(size=7), rng.normal(size=7) * 2
    s1, s2 = random_psd(rng, 7), random_psd(rng, 7) * 3
    want = frechet_scipy(mu1, s1, mu2, s2)
    got = student.frechet.frechet_distance(t(mu1, device), t(s1, device), t(mu2, device),
                                           t(s2, device))
    assert_close(got, want, rtol=1e-7, name="Frechet distance")
    back = student.frechet.frechet_distance(t(mu2, device), t(s2, device), t(mu1, device),
                                            t(s1, device))
    assert_close(back, want, rtol=1e-7, name="Frechet distance with the arguments swapped")
    same = student.frechet.frechet_distance(t(mu1, device), t(s1, device), t(mu1, device),
                                            t(s1, device))
    assert abs(float(same)) < 1e-8, "the distance of a Gaussian to itself is not 0"
    s3 = random_psd(rng, 7, rank=3)
    got = student.frechet.frechet_distance(t(mu1, device), t(s3, device), t(mu2, device),
                                           t(s2, device))
    assert_close(got, frechet_scipy(mu1, s3, mu2, s2), rtol=1e-5,
                 name="Frechet distance with a singular covariance")


def digit_features(images, device):
    """Mean-pooled features of the course network on 8x8 digits upsampled to 16x16, (N, 32)."""
    net = feature_net(1, seed=0).to(device)
    x = F.interpolate(torch.as_tensor(images, dtype=torch.float32, device=device)
                      .reshape(-1, 1, 8, 8), size=16, mode="bilinear", align_corners=False)
    with torch.no_grad():
        return net(x).mean(dim=(2, 3)).double()


@part("frechet")
@points(3)
def test_fid_on_the_course_features(student, rng, device):
    """feature_frechet_distance of course-network features matches the scipy reference, and
    ranks held-out digits far closer to the training digits than pixel noise or blurred
    digits."""
    splits = load_digits(seed=0)
    train = digit_features(splits["train"].x, device)
    test = digit_features(splits["test"].x, device)
    noise = digit_features(rng.uniform(size=(300, 64)), device)
    blur = digit_features(np.repeat(splits["test"].x.reshape(-1, 8, 8).mean(1, keepdims=True),
                                    8, axis=1).reshape(-1, 64), device)
    got = {}
    for name, feats in (("test", test), ("noise", noise), ("blur", blur)):
        d = student.frechet.feature_frechet_distance(train, feats)
        a, b = train.cpu().numpy(), feats.cpu().numpy()
        want = frechet_scipy(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
        assert_close(d, want, rtol=1e-5, atol=1e-8, name=f"FID to {name} digits")
        got[name] = float(d)
    assert got["test"] < 0.2 * min(got["noise"], got["blur"]), \
        "held-out digits are not much closer to the training digits than noise or blur"
