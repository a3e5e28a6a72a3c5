"""vit.py: patch embeddings agree; the ViT loads torchvision's weights and matches it."""

import torch
import torch.nn.functional as F
from torchvision.models import VisionTransformer as TorchViT
from vit import VisionTransformer, patch_embed_conv, patch_embed_unfold, patchify


def test_patchify_and_embeddings() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(patchify(x, 4), F.unfold(x, 4, stride=4).transpose(1, 2))
    w, b = torch.randn(5, 3, 4, 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
    torch.testing.assert_close(patch_embed_unfold(x, w, b), patch_embed_conv(x, w, b))


def test_vit_matches_torchvision() -> None:
    torch.manual_seed(1)
    ref = TorchViT(8, 4, 2, 2, 16, 32, num_classes=10).double().eval()
    with torch.no_grad():  # torchvision starts the head and class token at zero: redraw all
        for p in ref.parameters():
            p.normal_(0, 0.3)
    mine = VisionTransformer(8, 4, 2, 2, 16, 32, 10).double().eval()
    mine.load_state_dict(ref.state_dict())
    x = torch.randn(3, 3, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(mine(x), ref(x))
