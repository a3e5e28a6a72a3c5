"""A tiny YOLO-style detector for ``dnn.detection_shapes``, trained on the CPU in seconds.

``TinyYolo`` maps (B, 3, H, W) images to (B, H / 8, W / 8, A, 5 + C) predictions (the layout of
``yolo.py``): three stride-2 3x3 convolutions with batch norm and leaky ReLU, one more 3x3 and a
1x1 head with A (5 + C) channels. ``train_detector`` fits it with Adam and ``yolo.yolo_loss``;
``detect`` decodes its predictions with ``yolo.decode_predictions``.
"""

import torch
from torch import Tensor, nn

from yolo import build_targets, decode_predictions, yolo_loss

# Anchor (w, h) in pixels for 32 x 32 images whose shapes are about 7 to 19 pixels across.
ANCHORS = ((10.0, 10.0), (16.0, 16.0))
STRIDE = 8


def _conv(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.LeakyReLU(0.1))


class TinyYolo(nn.Module):
    """The network; ``anchors`` is a (A, 2) buffer of the anchor (w, h) in pixels."""

    def __init__(self, num_classes: int = 3, anchors: tuple[tuple[float, float], ...] = ANCHORS,
                 width: int = 16) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.register_buffer("anchors", torch.tensor(anchors, dtype=torch.float32))
        n_out = len(anchors) * (5 + num_classes)
        self.body = nn.Sequential(_conv(3, width, 2), _conv(width, 2 * width, 2),
                                  _conv(2 * width, 2 * width, 2), _conv(2 * width, 2 * width, 1))
        self.head = nn.Conv2d(2 * width, n_out, 1)

    def forward(self, images: Tensor) -> Tensor:
        """(B, 3, H, W) -> (B, H / 8, W / 8, A, 5 + C)."""
        maps = self.head(self.body(images)).permute(0, 2, 3, 1)  # (B, S, S, A (5 + C))
        return maps.unflatten(-1, (self.anchors.shape[0], 5 + self.num_classes))


def train_detector(images: Tensor, boxes: list[Tensor], labels: list[Tensor], *,
                   epochs: int = 10, batch_size: int = 32, lr: float = 0.01, seed: int = 0
                   ) -> TinyYolo:
    """Adam on yolo_loss's total; seeded model and epoch orders; every image once per epoch."""
    torch.manual_seed(seed)
    model = TinyYolo().to(images.device)
    order_rng = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    x = images.float()
    side = x.shape[-1]
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(x), generator=order_rng).split(batch_size):
            idx = batch.tolist()
            targets = build_targets([boxes[i] for i in idx], [labels[i] for i in idx],
                                    model.anchors, side // STRIDE, side)
            optimiser.zero_grad(set_to_none=True)
            yolo_loss(model(x[batch.to(x.device)]), targets)["total"].backward()
            optimiser.step()
    model.eval()
    return model


def detect(model: TinyYolo, images: Tensor, score_threshold: float = 0.05,
           iou_threshold: float = 0.5) -> list[dict[str, Tensor]]:
    """Detections per image, in eval mode without gradients."""
    model.eval()
    with torch.inference_mode():
        raw = model(images.float())
        return decode_predictions(raw, model.anchors, images.shape[-1], score_threshold,
                                  iou_threshold)
