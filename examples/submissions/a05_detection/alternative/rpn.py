"""Faster R-CNN's region proposal network: a head shared over FPN levels, proposal filtering.

Head (torchvision's ``RPNHead``). On every level l, a feature map x_l (B, C, H_l, W_l) goes
through a 3x3 convolution (padding 1, C channels, bias) and a ReLU, then two 1x1 convolutions:
objectness logits (B, A, H_l, W_l) and box deltas (B, 4 A, H_l, W_l), channel 4 a + k holding
delta k of anchor a. The same weights are used on every level.

Flattening puts the predictions in the order of ``anchors.multilevel_anchors``: location-major
(row i, column j), the A anchors of a location together, levels one after the other, so anchor
n = offset_l + (i W_l + j) A + a.

Proposal filtering (torchvision's ``RegionProposalNetwork.filter_proposals``, per image):

    1. per level, keep the pre_nms_top_n anchors of highest objectness (all of them when the
       level has fewer), by decreasing logit, levels concatenated in order;
    2. scores p = sigmoid(logit) (sigmoid is monotonic: the top-k is the same on logits);
    3. clip the decoded boxes to the image: x in [0, W], y in [0, H];
    4. remove small boxes: keep w >= min_size and h >= min_size (after clipping);
    5. keep p >= score_thresh;
    6. NMS with threshold nms_thresh within each level (boxes of different levels never
       suppress each other), survivors by decreasing score (ties: earlier position first);
    7. keep the first post_nms_top_n.
"""

import torch
import torch.nn.functional as F
from anchors import multilevel_anchors
from box_coding import decode
from nms import nms
from torch import Tensor, nn


class RPNHead(nn.Module):
    """3x3 conv + ReLU, then 1x1 objectness (A channels) and 1x1 box deltas (4 A channels).

    Parameters: ``conv``, ``cls_logits`` and ``bbox_pred`` (``nn.Conv2d`` each)."""

    def __init__(self, in_channels: int, num_anchors: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, in_channels, kernel_size=3, stride=1, padding=1)
        self.cls_logits = nn.Conv2d(in_channels, num_anchors, kernel_size=1, stride=1)
        self.bbox_pred = nn.Conv2d(in_channels, num_anchors * 4, kernel_size=1, stride=1)

    def forward(self, features: list[Tensor]) -> tuple[list[Tensor], list[Tensor]]:
        """Per level: objectness logits (B, A, H_l, W_l) and box deltas (B, 4 A, H_l, W_l)."""
        hidden = [F.relu(F.conv2d(x, self.conv.weight, self.conv.bias, padding=1))
                  for x in features]
        return ([self.cls_logits(h) for h in hidden], [self.bbox_pred(h) for h in hidden])


def flatten_predictions(logits: list[Tensor], deltas: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Concatenate the levels' predictions in anchor order: logits (B, N) and deltas (B, N, 4),
    N = sum_l H_l W_l A, entry (i W_l + j) A + a of level l from logits[l][:, a, i, j] and
    deltas[l][:, 4 a:4 a + 4, i, j]."""
    n_img = logits[0].shape[0]
    flat_logits = torch.cat([t.movedim(1, -1).flatten(1) for t in logits], dim=1)
    flat_deltas = torch.cat([t.movedim(1, -1).reshape(n_img, -1, 4) for t in deltas], dim=1)
    return flat_logits, flat_deltas


def clip_boxes(boxes: Tensor, image_size: tuple[int, int]) -> Tensor:
    """(N, 4) xyxy boxes clipped to an image of (height, width): x to [0, width], y to
    [0, height]. Returns a new tensor."""
    height, width = image_size
    upper = torch.tensor([width, height, width, height], dtype=boxes.dtype, device=boxes.device)
    return torch.minimum(torch.relu(boxes), upper)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices (K,) int64, increasing, of the (N, 4) xyxy boxes with width >= min_size and
    height >= min_size."""
    sides = boxes[:, 2:] - boxes[:, :2]
    return torch.where(sides.min(dim=1).values >= min_size)[0] if len(boxes) else \
        torch.zeros(0, dtype=torch.int64, device=boxes.device)


def _one_image(boxes: Tensor, logits: Tensor, size: tuple[int, int], counts: list[int],
               pre: int, post: int, thresh: float, min_size: float,
               score_thresh: float) -> tuple[Tensor, Tensor]:
    kept_boxes, kept_scores = [], []
    for level_boxes, level_logits in zip(boxes.split(counts), logits.split(counts),
                                         strict=True):
        order = torch.argsort(level_logits, descending=True)[:pre]
        b = clip_boxes(level_boxes[order], size)
        s = torch.sigmoid(level_logits[order])
        ok = remove_small_boxes(b, min_size)
        b, s = b[ok], s[ok]
        ok = s >= score_thresh
        b, s = b[ok], s[ok]
        survivors = nms(b, s, thresh)
        kept_boxes.append(b[survivors])
        kept_scores.append(s[survivors])
    b, s = torch.cat(kept_boxes), torch.cat(kept_scores)
    # levels concatenated in order and each sorted: a stable merge by score keeps earlier first
    order = torch.sort(s, descending=True, stable=True).indices[:post]
    return b[order], s[order]


def filter_proposals(proposals: Tensor, logits: Tensor, image_sizes: list[tuple[int, int]],
                     num_anchors_per_level: list[int], pre_nms_top_n: int, post_nms_top_n: int,
                     nms_thresh: float, min_size: float = 1e-3, score_thresh: float = 0.0
                     ) -> tuple[list[Tensor], list[Tensor]]:
    """Steps 1-7 of the module docstring on each image.

    Args:
        proposals: (B, N, 4) decoded xyxy boxes, in anchor order. logits: (B, N) objectness
            logits. image_sizes: (height, width) of each image, for clipping.
            num_anchors_per_level: N_l of each level, sum N.

    Returns, per image, the kept boxes (K_b, 4) and their scores sigmoid(logit) (K_b,), by
    decreasing score. No gradients flow back to the logits.
    """
    results = [_one_image(proposals[b], logits[b].detach(), image_sizes[b],
                          list(num_anchors_per_level), pre_nms_top_n, post_nms_top_n,
                          nms_thresh, min_size, score_thresh) for b in range(len(proposals))]
    return [r[0] for r in results], [r[1] for r in results]


def propose(head: RPNHead, features: list[Tensor], batch_shape: tuple[int, int],
            image_sizes: list[tuple[int, int]], sizes: list[tuple[float, ...]],
            aspect_ratios: list[tuple[float, ...]], pre_nms_top_n: int, post_nms_top_n: int,
            nms_thresh: float, min_size: float = 1e-3, score_thresh: float = 0.0
            ) -> tuple[list[Tensor], list[Tensor]]:
    """The RPN at inference: ``head`` on the feature levels (B, C, H_l, W_l), anchors of the
    (padded) ``batch_shape`` = (height, width) from ``multilevel_anchors`` (computed in
    float32, as torchvision's generator does, then cast to the features' dtype), the deltas
    decoded with ``box_coding.decode`` (weights 1, the default clamp), then
    ``filter_proposals``. Returns per image the proposals (K_b, 4) and their scores (K_b,)."""
    with torch.no_grad():
        logits, deltas = head(features)
    grids = [tuple(f.shape[-2:]) for f in features]
    anchors = multilevel_anchors(batch_shape, grids, sizes, aspect_ratios, dtype="float32",
                                 device=str(features[0].device)).to(features[0].dtype)
    counts = [t[0].numel() for t in logits]
    flat_logits, flat_deltas = flatten_predictions(logits, deltas)
    boxes = torch.stack([decode(d, anchors) for d in flat_deltas])
    return filter_proposals(boxes, flat_logits, image_sizes, counts, pre_nms_top_n,
                            post_nms_top_n, nms_thresh, min_size, score_thresh)
