"""ImageNet preprocessing as torchvision's weights do it; loading checkpoints."""

import pytest
import torch
from checkpoints import clean_state_dict, load_checkpoint
from preprocess import center_crop, imagenet_preprocess, resized_size
from torchvision.models import ResNet18_Weights

from dnn.backbone import small_resnet


def test_resize_and_crop_geometry() -> None:
    assert resized_size(375, 500, 256) == (256, 341)
    assert resized_size(500, 375, 256) == (341, 256)
    assert center_crop(torch.arange(25.0).view(5, 5), 3)[0, 0] == 6.0
    with pytest.raises(ValueError):
        center_crop(torch.zeros(3, 10, 10), 11)


def test_imagenet_preprocess_matches_torchvision() -> None:
    img = torch.rand(3, 375, 500)
    want = ResNet18_Weights.IMAGENET1K_V1.transforms()(img)
    torch.testing.assert_close(imagenet_preprocess(img), want, rtol=1e-4, atol=1e-4)


def test_load_a_dataparallel_checkpoint_with_a_new_head(tmp_path) -> None:
    torch.manual_seed(0)
    source = small_resnet(64)
    state = {"module." + k: v for k, v in source.state_dict().items()}
    assert set(clean_state_dict(state)) == set(source.state_dict())
    torch.save({"state_dict": state}, tmp_path / "ckpt.pt")
    target = small_resnet(10)
    assert load_checkpoint(target, tmp_path / "ckpt.pt") == ["fc.bias", "fc.weight"]
    assert torch.equal(target.conv1.weight, source.conv1.weight)
    with pytest.raises(ValueError):
        load_checkpoint(target, tmp_path / "ckpt.pt", head=None)
