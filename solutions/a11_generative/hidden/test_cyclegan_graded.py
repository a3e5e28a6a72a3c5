"""Graded: the cycle-consistency and identity losses against their formulas with two fixed
generators (float64 torch modules with copied weights), the least-squares GAN losses on fixed
outputs, and the image history buffer: exact while it fills, then checked statistically (the
share of new images, a chi-square test of the slots drawn) and by the pool's invariants (part
"cyclegan", 10 points)."""

import numpy as np
import pytest
import torch
from scipy import stats

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.i2i_data import tiny_translator

TOL = {"rtol": 1e-10, "atol": 1e-12}


def generators(student, rng, device):
    """Two different fixed generators in the sandbox (float64) and their copies here."""
    seeds = rng.choice(1000, size=2, replace=False)
    handles, copies = [], []
    for seed in seeds:
        g = student.lib("dnn.i2i_data").tiny_translator(1, seed=int(seed))
        g.double()
        g.to(device)
        ref = tiny_translator(1).double().to(device)
        ref.load_state_dict(g.state_dict())
        handles.append(g)
        copies.append(ref)
    return handles, copies


def images(rng, device, n=4):
    a = torch.as_tensor(rng.uniform(-1, 1, size=(n, 1, 6, 7)), device=device)
    b = torch.as_tensor(rng.uniform(-1, 1, size=(n, 1, 6, 7)), device=device)
    return a, b


@part("cyclegan")
@points(2)
def test_cycle_loss(student, rng, device):
    """cycle_loss is w (mean |G_BA(G_AB(a)) - a| + mean |G_AB(G_BA(b)) - b|) (L1) for two fixed
    generators, with the default and another weight, and does not modify a or b."""
    (g_ab, g_ba), (r_ab, r_ba) = generators(student, rng, device)
    a, b = images(rng, device)
    with torch.no_grad():
        want = (r_ba(r_ab(a)) - a).abs().mean() + (r_ab(r_ba(b)) - b).abs().mean()
    call = watch_call(student.cyclegan.cycle_loss, a, b, g_ab, g_ba)
    assert not call.changed, f"cycle_loss modified {call.changed}"
    assert_close(call.result, 10 * want, **TOL, name="cycle loss (default weight)")
    assert_close(student.cyclegan.cycle_loss(a, b, g_ab, g_ba, 0.5), 0.5 * want, **TOL,
                 name="cycle loss (weight 0.5)")


@part("cyclegan")
@points(1)
def test_identity_loss(student, rng, device):
    """identity_loss is w (mean |G_AB(b) - b| + mean |G_BA(a) - a|): each generator fed images of
    its own target domain, with the default and another weight."""
    (g_ab, g_ba), (r_ab, r_ba) = generators(student, rng, device)
    a, b = images(rng, device)
    with torch.no_grad():
        want = (r_ab(b) - b).abs().mean() + (r_ba(a) - a).abs().mean()
    assert_close(student.cyclegan.identity_loss(a, b, g_ab, g_ba), 5 * want, **TOL,
                 name="identity loss (default weight)")
    assert_close(student.cyclegan.identity_loss(a, b, g_ab, g_ba, 2.0), 2 * want, **TOL,
                 name="identity loss (weight 2)")


@part("cyclegan")
@points(1)
def test_lsgan_losses(student, rng, device):
    """lsgan_d_loss is 1/2 (mean (D(real) - 1)^2 + mean D(fake)^2) and lsgan_g_loss is
    mean (D(fake) - 1)^2, on (B, 1, h, w) output maps."""
    real, fake = rng.normal(size=(3, 1, 4, 5)), rng.normal(size=(3, 1, 4, 5))
    r, f = torch.as_tensor(real, device=device), torch.as_tensor(fake, device=device)
    assert_close(student.cyclegan.lsgan_d_loss(r, f),
                 0.5 * (((real - 1) ** 2).mean() + (fake ** 2).mean()), **TOL, name="LSGAN D")
    assert_close(student.cyclegan.lsgan_g_loss(f), ((fake - 1) ** 2).mean(), **TOL,
                 name="LSGAN G")


def labelled(start, n, device):
    """n images (n, 2, 3, 3) whose every pixel is their label start, start + 1, ..."""
    labels = torch.arange(start, start + n, dtype=torch.float64, device=device)
    return labels[:, None, None, None].expand(n, 2, 3, 3).clone()


def labels_of(batch):
    flat = batch.reshape(len(batch), -1)
    assert torch.all(flat == flat[:, :1]), "the pool returned an image it was never given"
    return [int(v) for v in flat[:, 0].tolist()]


@part("cyclegan")
@points(2)
def test_pool_while_filling(student, device):
    """While the pool has room it stores each image in the next slot and returns the batch
    itself (a batch that overfills it is split at the boundary); size 0 returns every batch
    unchanged and stores nothing; a negative size raises ValueError."""
    pool = student.cyclegan.ImagePool(5, seed=0)
    out = pool.query(labelled(0, 3, device))
    assert labels_of(out) == [0, 1, 2], "a pool with room should return the new images"
    out = pool.query(labelled(3, 2, device))
    assert labels_of(out) == [3, 4], "a pool with room should return the new images"
    assert labels_of(torch.stack(list(pool.images))) == [0, 1, 2, 3, 4], \
        "the pool should hold the first images in slot order"
    pool = student.cyclegan.ImagePool(4, seed=1)
    out = labels_of(pool.query(labelled(0, 6, device)))
    assert out[:4] == [0, 1, 2, 3], "the first images of an overfilling batch are returned as is"
    assert all(v in (0, 1, 2, 3, 4, 5) for v in out[4:]), "unexpected image from the pool"
    empty = student.cyclegan.ImagePool(0, seed=0)
    for start in (0, 7):
        batch = labelled(start, 4, device)
        assert_close(empty.query(batch), batch, rtol=0, atol=0, name="size-0 pool output")
    assert len(empty.images) == 0, "a size-0 pool should store nothing"
    with pytest.raises(StudentError, match="ValueError"):
        student.cyclegan.ImagePool(-1)


@part("cyclegan")
@points(3)
def test_pool_statistics(student, rng, device):
    """Once full (size 10), each image is returned itself with probability 1/2 or swapped for a
    stored one (which leaves its slot for the new image); over 3000 images the share returned
    new is within 0.05 of 1/2, the slots drawn pass a chi-square test of uniformity, the pool's
    contents follow the swaps exactly, and the same seed repeats the same choices."""
    seed = int(rng.integers(1000))
    pool = student.cyclegan.ImagePool(10, seed=seed)
    slots = list(range(10))
    pool.query(labelled(0, 10, device))
    new_count, drawn = 0, []
    outputs = []
    for start in range(10, 3010, 100):
        out = labels_of(pool.query(labelled(start, 100, device)))
        outputs += out
        for new, got in zip(range(start, start + 100), out, strict=True):
            if got == new:
                new_count += 1
                continue
            assert got in slots, "the pool returned an image it does not hold (or held twice)"
            j = slots.index(got)
            drawn.append(j)
            slots[j] = new
    share = new_count / 3000
    assert abs(share - 0.5) < 0.05, f"{share:.0%} of the images were returned new, not about 50%"
    counts = np.bincount(drawn, minlength=10)
    p_value = stats.chisquare(counts).pvalue
    assert p_value > 1e-4, f"the slots drawn are not uniform (chi-square p = {p_value:.1e})"
    assert labels_of(torch.stack(list(pool.images))) == slots, \
        "the stored images differ from what the swaps leave in each slot"
    again = student.cyclegan.ImagePool(10, seed=seed)
    again.query(labelled(0, 10, device))
    repeat = []
    for start in range(10, 3010, 100):
        repeat += labels_of(again.query(labelled(start, 100, device)))
    assert repeat == outputs, "the same seed did not repeat the same choices"
