"""Graded: ImageNet preprocessing against the transforms of torchvision's weights enums, and
checkpoint loading with key remapping (part "preprocessing", 20 points)."""

import io

import numpy as np
import pytest
import torch
from torchvision.models import ResNet18_Weights, ResNet50_Weights
from torchvision.transforms import functional as TF

from autograder.testing import StudentError, assert_close, part, points
from dnn import backbone

SIZES = [(375, 500), (500, 333), (224, 224), (300, 451), (451, 300), (260, 1000)]


@part("preprocessing")
@points(3)
def test_resized_size(student):
    """resized_size puts the shorter side at size and truncates the longer one, as
    torchvision's Resize does, for landscape, portrait and square images."""
    for h, w in SIZES + [(10, 7), (7, 10), (99, 100)]:
        for size in (256, 232, 8):
            want = tuple(TF.resize(torch.zeros(1, h, w), [size], antialias=True).shape[1:])
            got = tuple(student.preprocess.resized_size(h, w, size))
            assert got == want, f"resized_size({h}, {w}, {size}) = {got} is wrong"


@part("preprocessing")
@points(3)
def test_center_crop(student, rng):
    """center_crop cuts the same window as torchvision's center_crop (odd margins included),
    works on batches, and raises ValueError when the image is too small."""
    for h, w in ((256, 341), (257, 300), (224, 224), (231, 229)):
        img = torch.from_numpy(rng.random((2, 3, h, w)))
        want = TF.center_crop(img, [224])
        got = student.preprocess.center_crop(img, 224)
        assert tuple(got.shape) == (2, 3, 224, 224), f"{h}x{w}: crop shape {tuple(got.shape)}"
        assert torch.equal(got, want), f"{h}x{w}: the crop window is misplaced"
    img = torch.from_numpy(rng.random((3, 231, 229)))  # (..., H, W): one image, one channel
    for single in (img, img[0]):
        got = student.preprocess.center_crop(single, 224)
        assert torch.equal(got, TF.center_crop(single, [224])), (
            f"a {tuple(single.shape)} image: not the central 224x224 of its last two dims")
    with pytest.raises(StudentError) as err:
        student.preprocess.center_crop(torch.zeros(3, 200, 300), 224)
    assert err.value.type_name == "ValueError", "an image smaller than the crop: ValueError"


@part("preprocessing")
@points(3)
def test_imagenet_preprocess_matches_weights_transforms(student, rng):
    """imagenet_preprocess equals weights.transforms() of ResNet18_Weights.IMAGENET1K_V1 (256,
    224) and ResNet50_Weights.IMAGENET1K_V2 (232, 224) on float images of real photo sizes,
    single and batched, float32 out."""
    for weights in (ResNet18_Weights.IMAGENET1K_V1, ResNet50_Weights.IMAGENET1K_V2):
        t = weights.transforms()
        kw = dict(resize_size=t.resize_size[0], crop_size=t.crop_size[0],
                  mean=tuple(t.mean), std=tuple(t.std))
        for h, w in SIZES[:4]:
            img = torch.from_numpy(rng.random((3, h, w))).float()
            got = student.preprocess.imagenet_preprocess(img, **kw)
            assert got.dtype == torch.float32, "imagenet_preprocess returns float32"
            assert_close(got, t(img), rtol=1e-4, atol=1e-4, name=f"{weights} on {h}x{w}")
        batch = torch.from_numpy(rng.random((2, 3, 300, 451))).float()
        got = student.preprocess.imagenet_preprocess(batch, **kw)
        assert_close(got, t(batch), rtol=1e-4, atol=1e-4, name=f"{weights}, a batch")


@part("preprocessing")
@points(1)
def test_imagenet_preprocess_uint8(student, rng):
    """uint8 images are scaled by 1/255 (to rounding of torchvision's uint8 resize), and the
    defaults are ImageNet's 256 / 224 and mean / std."""
    t = ResNet18_Weights.IMAGENET1K_V1.transforms()
    img = torch.from_numpy(rng.integers(0, 256, (3, 333, 250), dtype=np.uint8))
    got = student.preprocess.imagenet_preprocess(img)
    assert got.dtype == torch.float32 and tuple(got.shape) == (3, 224, 224), "float32 3x224x224"
    assert_close(got, t(img), rtol=0, atol=0.03, name="uint8 image")


def checkpoint_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def source_state(seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return backbone.small_resnet(64).state_dict()


@part("preprocessing")
@points(2)
def test_clean_state_dict(student):
    """clean_state_dict unwraps "state_dict" / "model", strips every leading "module.", applies
    the first matching rename, and raises ValueError when two keys collide."""
    state = {"conv1.weight": torch.ones(2), "classifier.weight": torch.zeros(3),
             "classifier.bias": torch.zeros(1)}
    dp = {"module." + k: v for k, v in state.items()}
    for wrapped in (dp, {"state_dict": dp}, {"model": {"module." + k: v for k, v in dp.items()}}):
        got = student.checkpoints.clean_state_dict(wrapped, {"classifier.": "fc.",
                                                             "fc.": "head."})
        assert sorted(got) == ["conv1.weight", "fc.bias", "fc.weight"], (
            "prefixes removed and the first matching rename applied")
        assert torch.equal(got["fc.weight"], torch.zeros(3)), "values are kept"
    assert sorted(student.checkpoints.clean_state_dict(state)) == sorted(state), (
        "without wrapper, prefix or renames the keys stay")
    with pytest.raises(StudentError) as err:
        student.checkpoints.clean_state_dict({"module.fc.weight": torch.ones(1),
                                              "fc.weight": torch.ones(1)})
    assert err.value.type_name == "ValueError", "two keys that become one: ValueError"


@part("preprocessing")
@points(3)
def test_load_checkpoint_remaps_and_replaces_the_head(student, rng):
    """load_checkpoint loads a DataParallel checkpoint (wrapped in {"state_dict": ...}) into a
    model with a new number of classes: every tensor but the head's is loaded, the head keeps
    its initialisation and is returned; a renamed head of the right shape is loaded."""
    lib = student.lib("dnn.files")
    state = source_state(1)
    path = lib.write_bytes(f"/tmp/a04-{rng.integers(1 << 40)}/ckpt.pt", checkpoint_bytes(
        {"state_dict": {"module." + k: v for k, v in state.items()}, "epoch": 3}))
    torch.manual_seed(2)
    net = student.lib("dnn.backbone").small_resnet(10)
    head_before = net.fc.weight
    kept = student.checkpoints.load_checkpoint(net, path)
    assert list(kept) == ["fc.bias", "fc.weight"], "the head's two keys keep their values"
    got = net.state_dict()
    for key, value in state.items():
        if not key.startswith("fc."):
            assert torch.equal(got[key], value), f"{key} was not loaded"
    assert torch.equal(got["fc.weight"], head_before), "the new head keeps its initialisation"
    renamed = {("classifier." + k[3:] if k.startswith("fc.") else k): v for k, v in state.items()}
    path = lib.write_bytes(f"/tmp/a04-{rng.integers(1 << 40)}.pt", checkpoint_bytes(renamed))
    net = student.lib("dnn.backbone").small_resnet(64)
    kept = student.checkpoints.load_checkpoint(net, path, renames={"classifier.": "fc."})
    assert list(kept) == [], "a perfect fit keeps nothing"
    assert torch.equal(net.state_dict()["fc.weight"], state["fc.weight"]), "renamed head loaded"


@part("preprocessing")
@points(3)
def test_load_checkpoint_rejects_incompatible(student, rng):
    """load_checkpoint raises ValueError for a shape mismatch, a missing or an unexpected key
    outside the head, and then leaves the model unchanged; head=None makes the head strict."""
    lib = student.lib("dnn.files")
    state = source_state(3)
    bad_shape = dict(state, **{"layer2.0.conv1.weight": torch.zeros(32, 16, 5, 5)})
    missing = {k: v for k, v in state.items() if k != "layer3.0.bn1.running_var"}
    extra = dict(state, **{"layer5.weight": torch.zeros(3)})
    for what, bad in (("shape", bad_shape), ("missing", missing), ("unexpected", extra)):
        path = lib.write_bytes(f"/tmp/a04-{rng.integers(1 << 40)}.pt", checkpoint_bytes(bad))
        torch.manual_seed(4)
        net = student.lib("dnn.backbone").small_resnet(10)
        before = net.state_dict()
        with pytest.raises(StudentError) as err:
            student.checkpoints.load_checkpoint(net, path)
        assert err.value.type_name == "ValueError", f"{what} key: ValueError"
        after = net.state_dict()
        assert all(torch.equal(after[k], before[k]) for k in before), (
            f"after a refused checkpoint ({what}) the model must be unchanged")
    path = lib.write_bytes(f"/tmp/a04-{rng.integers(1 << 40)}.pt", checkpoint_bytes(state))
    with pytest.raises(StudentError) as err:
        student.checkpoints.load_checkpoint(student.lib("dnn.backbone").small_resnet(10), path,
                                            head=None)
    assert err.value.type_name == "ValueError", "head=None: a head of another shape is an error"


@part("preprocessing")
@points(2)
def test_load_torchvision_weights(student, rng):
    """load_torchvision_weights reads root/hub/checkpoints/<torchvision's file name> (every key
    required) and raises FileNotFoundError naming that path when the file is missing."""
    root = f"/tmp/a04-torch-home-{rng.integers(1 << 40)}"
    state = source_state(5)
    student.lib("dnn.files").write_bytes(f"{root}/hub/checkpoints/resnet18-f37072fd.pth",
                                         checkpoint_bytes(state))
    net = student.lib("dnn.backbone").small_resnet(64)
    student.checkpoints.load_torchvision_weights(net, "resnet18", root)
    got = net.state_dict()
    assert all(torch.equal(got[k], v) for k, v in state.items()), "the weights were not loaded"
    with pytest.raises(StudentError) as err:
        student.checkpoints.load_torchvision_weights(net, "resnet50", root)
    assert err.value.type_name == "FileNotFoundError", "a missing file: FileNotFoundError"
    assert "hub/checkpoints/resnet50-11ad3fa6.pth" in err.value.message, (
        "the message names the path where the file is expected")
