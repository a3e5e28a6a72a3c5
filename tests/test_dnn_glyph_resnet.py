"""dnn.glyph_resnet is dnn.backbone's network without torchvision: same keys, same weights for a
seed, same outputs with the checkpoint, same constants and normalisation."""

import numpy as np
import torch

from dnn import backbone, glyph_resnet


def test_constants_match_the_backbone():
    assert glyph_resnet.WIDTHS == backbone.WIDTHS
    assert glyph_resnet.SOURCE_CLASSES == backbone.SOURCE_CLASSES
    assert glyph_resnet.CHECKPOINT == backbone.CHECKPOINT
    assert glyph_resnet.SHA256 == backbone.SHA256
    assert backbone.MEAN == (glyph_resnet.MEAN,) * 3 and backbone.STD == (glyph_resnet.STD,) * 3


def test_same_network_and_checkpoint():
    ours, theirs = glyph_resnet.small_resnet(10, seed=3), backbone.small_resnet(10, seed=3)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value), key
    state = glyph_resnet.load_state()
    ours, theirs = glyph_resnet.SmallResNet(), backbone.SmallResNet()
    ours.load_state_dict(state)
    theirs.load_state_dict(backbone.load_state())
    x = torch.randn(4, 3, 32, 32)
    torch.testing.assert_close(ours.eval()(x), theirs.eval()(x), rtol=0, atol=0)
    torch.testing.assert_close(ours.train()(x), theirs.train()(x), rtol=0, atol=0)


def test_normalise_matches():
    x = np.random.default_rng(0).random((2, 3, 5, 5))
    torch.testing.assert_close(glyph_resnet.normalise(x), backbone.normalise(x))
