"""Graded: trimap labels, the training loop, prediction and a trained U-Net (part "training")."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import confusion_matrix as sk_confusion
from unet_oracle import expected_shapes, random_state, reference_forward

from autograder.testing import StudentError, part, points, watch_call
from dnn.seg_shapes import NUM_CLASSES, make_seg_shapes


def _trimap_to_labels(student, rng, device):
    """trimap_to_labels maps 1 -> 1, 2 -> 0, 3 -> ignore_index (default 255 and another value),
    returns int64, keeps the shape, does not modify the trimap, and raises ValueError for any
    other value."""
    trimap = torch.as_tensor(rng.integers(1, 4, (2, 5, 6)), dtype=torch.uint8, device=device)
    want = np.select([trimap.cpu().numpy() == 1, trimap.cpu().numpy() == 2], [1, 0], 255)
    call = watch_call(student.seg_data.trimap_to_labels, trimap)
    assert call.changed == [], f"trimap_to_labels modified {call.changed}"
    got = call.result
    assert got.dtype == torch.int64, "the labels should be int64"
    assert np.array_equal(got.cpu().numpy(), want), "trimap values map to the wrong labels"
    got = student.seg_data.trimap_to_labels(trimap, -1).cpu().numpy()
    assert np.array_equal(got, np.where(want == 255, -1, want)), "ignore_index is not used"
    for bad in (0, 4):
        with pytest.raises(StudentError) as raised:
            student.seg_data.trimap_to_labels(torch.tensor([[1, bad]], device=device))
        assert raised.value.type_name == "ValueError", "a value outside 1..3 should raise"


def tiny_model(student, rng, device):
    """A small student UNet with weights drawn in the test (so every run starts the same)."""
    sd = random_state(rng, expected_shapes(3, 3, 2, 1, "transpose"), device)
    sd = {k: v.float() for k, v in sd.items()}
    return sd


def fresh(student, sd, device):
    model = student.unet.UNet(3, 3, 2, 1, "transpose")
    model.load_state_dict(sd)
    model.to(device)
    return model


def _train_unet_loop(student, rng, device):
    """train_unet visits every example once per epoch (70 examples, batch 32: 3 batches, the
    last of 6), its first loss is the weighted cross-entropy (with ignore_index) of the first
    batch of randperm(seed), a second identical run repeats the losses, another seed changes
    them, and the model ends in eval mode."""
    sd = tiny_model(student, rng, device)
    x = torch.as_tensor(rng.random((70, 3, 6, 5)), dtype=torch.float32, device=device)
    y = torch.as_tensor(rng.integers(0, 3, (70, 6, 5)), device=device)
    y[torch.as_tensor(rng.random((70, 6, 5)) < 0.2, device=device)] = 9
    w = torch.tensor([0.5, 1.0, 2.0], device=device)
    runs = []
    for seed in (5, 5, 6):
        model = fresh(student, sd, device)
        runs.append(student.seg_data.train_unet(model, x, y, epochs=2, batch_size=32, lr=1e-2,
                                                seed=seed, weight=w, ignore_index=9))
    losses = runs[0]
    assert isinstance(losses, list) and len(losses) == 6, (
        "train_unet should return one loss per batch, the last partial batch included")
    first = torch.randperm(70, generator=torch.Generator().manual_seed(5))[:32].to(device)
    want = F.cross_entropy(reference_forward(sd, x[first], 1, "transpose"), y[first], weight=w,
                           ignore_index=9).item()
    assert abs(losses[0] - want) <= 1e-4 * abs(want), (
        "the first loss is not the weighted cross-entropy of the first batch of randperm(seed)")
    assert np.allclose(runs[1], losses, rtol=1e-5), "a second identical run gave other losses"
    assert not np.allclose(runs[2][:3], losses[:3], rtol=1e-6), (
        "another seed should give another order of the examples")
    assert model.training is False, "the trained model should be in eval mode"


def _train_unet_epochs_share_one_generator(student, rng, device):
    """The second epoch uses the next permutation of the same generator: with lr 0 (weights
    fixed) the fourth loss is the cross-entropy of the first batch of the second randperm."""
    sd = tiny_model(student, rng, device)
    x = torch.as_tensor(rng.random((20, 3, 4, 4)), dtype=torch.float32, device=device)
    y = torch.as_tensor(rng.integers(0, 3, (20, 4, 4)), device=device)
    model = fresh(student, sd, device)
    losses = student.seg_data.train_unet(model, x, y, epochs=2, batch_size=8, lr=0.0, seed=3)
    g = torch.Generator().manual_seed(3)
    torch.randperm(20, generator=g)
    second = torch.randperm(20, generator=g)[:8].to(device)
    want = F.cross_entropy(reference_forward(sd, x[second], 1, "transpose"), y[second]).item()
    assert len(losses) == 6, "20 examples in batches of 8 over 2 epochs are 6 batches"
    assert abs(losses[3] - want) <= 1e-4 * abs(want), (
        "the second epoch's first batch is not the next permutation of the same generator")


def _predict(student, rng, device):
    """predict returns the int64 arg-max of the logits for every image (5 images in batches of
    2: the last batch partial), leaves the model in eval mode and does not modify the images."""
    sd = tiny_model(student, rng, device)
    model = fresh(student, sd, device)
    model.train()
    x = torch.as_tensor(rng.random((5, 3, 7, 6)), dtype=torch.float32, device=device)
    call = watch_call(student.seg_data.predict, model, x, 2)
    got = call.result
    assert call.changed == [], f"predict modified {call.changed}"
    assert got.dtype == torch.int64 and tuple(got.shape) == (5, 7, 6), (
        "predict should return (N, H, W) int64 labels")
    want = reference_forward(sd, x, 1, "transpose").argmax(1)
    assert (got == want).float().mean().item() > 0.99, "the predicted labels are not the arg-max"
    assert model.training is False, "predict should leave the model in eval mode"
    none = student.seg_data.predict(model, x[:0], 2)
    assert none.dtype == torch.int64 and tuple(none.shape) == (0, 7, 6), (
        "no images should give (0, H, W) int64 labels")


@part("training")
@points(4)
def test_unet_learns_shapes(student, reference, device):
    """A UNet(3, 4, base=8, depth=2) from a fixed initialisation, trained with train_unet
    (6 epochs, batch 16, lr 4e-3) on 320 generated shape images, reaches mIoU 0.6 on 200
    held-out images (their labels stay in the test)."""
    torch.manual_seed(0)
    init = reference.unet.UNet(3, NUM_CLASSES, 8, 2).state_dict()
    train = make_seg_shapes(320, seed=11)
    test = make_seg_shapes(200, seed=12)
    model = student.unet.UNet(3, NUM_CLASSES, 8, 2)
    model.load_state_dict(init)
    model.to(device)
    x = torch.as_tensor(train.images, dtype=torch.float32, device=device)
    y = torch.as_tensor(train.semantic, device=device)
    student.seg_data.train_unet(model, x, y, epochs=6, batch_size=16, lr=4e-3, seed=0)
    pred = student.seg_data.predict(model, torch.as_tensor(test.images, dtype=torch.float32,
                                                           device=device))
    cm = sk_confusion(test.semantic.ravel(), np.asarray(pred.cpu()).ravel(),
                      labels=list(range(NUM_CLASSES)))
    iou = np.diag(cm) / (cm.sum(0) + cm.sum(1) - np.diag(cm))
    assert np.nanmean(iou) >= 0.6, "the trained U-Net's held-out mIoU is below 0.6"


@part("training")
@points(5)
def test_trimap_and_predict(student, rng, device):
    """trimap_to_labels maps 1 -> 1, 2 -> 0, 3 -> ignore_index (default 255 and another value),
    returns int64, keeps the shape, does not modify the trimap, and raises ValueError for any
    other value. predict returns the int64 arg-max of the logits for every image (5 images in
    batches of 2: the last batch partial; no images give (0, H, W)), leaves the model in eval
    mode and does not modify the images."""
    _trimap_to_labels(student, rng, device)
    _predict(student, rng, device)


@part("training")
@points(6)
def test_train_unet_loop_and_order(student, rng, device):
    """train_unet visits every example once per epoch (70 examples, batch 32: 3 batches, the
    last of 6), its first loss is the weighted cross-entropy (with ignore_index) of the first
    batch of randperm(seed), a second identical run repeats the losses, another seed changes
    them, and the model ends in eval mode. The second epoch uses the next permutation of the
    same generator: with lr 0 (weights fixed) the fourth loss is the cross-entropy of the first
    batch of the second randperm."""
    _train_unet_loop(student, rng, device)
    _train_unet_epochs_share_one_generator(student, rng, device)
