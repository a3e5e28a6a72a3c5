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
        out = self.head(self.body(images))  # (B, A (5 + C), S, S)
        n_img, _, rows, cols = out.shape
        out = out.reshape(n_img, len(self.anchors), 5 + self.num_classes, rows, cols)
        return out.permute(0, 3, 4, 1, 2)


def train_detector(images: Tensor, boxes: list[Tensor], labels: list[Tensor], *,
                   epochs: int = 10, batch_size: int = 32, lr: float = 0.01, seed: int = 0
                   ) -> TinyYolo:
    """Train a ``TinyYolo`` (float32, on ``images``' device) on square images (N, 3, H, H).

    ``torch.manual_seed(seed)`` before building the model; each epoch visits every image once,
    in the order of ``torch.randperm(N, generator=g)`` with ``g = torch.Generator().manual_seed(
    seed)`` created once, in batches of ``batch_size`` (the last one may be smaller). Adam with
    learning rate ``lr`` on ``yolo_loss(...)["total"]``. Returns the model in eval mode.
    """
    torch.manual_seed(seed)
    device = images.device
    model = TinyYolo(anchors=ANCHORS).to(device)
    images = images.to(torch.float32)
    size = images.shape[-1]
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    # The targets do not change: build them once, then index them by batch.
    targets = build_targets([b.to(device) for b in boxes], [lab.to(device) for lab in labels],
                            model.anchors, size // STRIDE, size)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(images), generator=generator).to(device)
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            loss = yolo_loss(model(images[batch]), {k: v[batch] for k, v in targets.items()})
            loss = loss["total"]
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return model.eval()


def detect(model: TinyYolo, images: Tensor, score_threshold: float = 0.05,
           iou_threshold: float = 0.5) -> list[dict[str, Tensor]]:
    """The model's detections on (N, 3, H, H) images, one dict per image as
    ``yolo.decode_predictions`` returns them, computed in eval mode without gradients."""
    model.eval()
    with torch.no_grad():
        pred = model(images.to(torch.float32))
    return decode_predictions(pred, model.anchors, images.shape[-1], score_threshold,
                              iou_threshold)
