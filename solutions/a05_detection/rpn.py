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
from anchors import multilevel_anchors
from box_coding import decode
from nms import batched_nms
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
        ### BEGIN SOLUTION
        logits, deltas = [], []
        for feature in features:
            hidden = torch.relu(self.conv(feature))
            logits.append(self.cls_logits(hidden))
            deltas.append(self.bbox_pred(hidden))
        return logits, deltas
        ### END SOLUTION


def flatten_predictions(logits: list[Tensor], deltas: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Concatenate the levels' predictions in anchor order: logits (B, N) and deltas (B, N, 4),
    N = sum_l H_l W_l A, entry (i W_l + j) A + a of level l from logits[l][:, a, i, j] and
    deltas[l][:, 4 a:4 a + 4, i, j]."""
    ### BEGIN SOLUTION
    flat_logits, flat_deltas = [], []
    for logit, delta in zip(logits, deltas, strict=True):
        n_img, n_anchor, rows, cols = logit.shape
        flat_logits.append(logit.permute(0, 2, 3, 1).reshape(n_img, -1))
        delta = delta.reshape(n_img, n_anchor, 4, rows, cols).permute(0, 3, 4, 1, 2)
        flat_deltas.append(delta.reshape(n_img, -1, 4))
    return torch.cat(flat_logits, dim=1), torch.cat(flat_deltas, dim=1)
    ### END SOLUTION


def clip_boxes(boxes: Tensor, image_size: tuple[int, int]) -> Tensor:
    """(N, 4) xyxy boxes clipped to an image of (height, width): x to [0, width], y to
    [0, height]. Returns a new tensor."""
    ### BEGIN SOLUTION
    height, width = image_size
    x = boxes[:, 0::2].clamp(min=0, max=width)
    y = boxes[:, 1::2].clamp(min=0, max=height)
    return torch.stack((x[:, 0], y[:, 0], x[:, 1], y[:, 1]), dim=1)
    ### END SOLUTION


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices (K,) int64, increasing, of the (N, 4) xyxy boxes with width >= min_size and
    height >= min_size."""
    ### BEGIN SOLUTION
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    return torch.nonzero((w >= min_size) & (h >= min_size)).flatten()
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    logits = logits.detach()
    selected = []
    offset = 0
    for level_logits in logits.split(num_anchors_per_level, dim=1):
        k = min(pre_nms_top_n, level_logits.shape[1])
        selected.append(level_logits.topk(k, dim=1).indices + offset)
        offset += level_logits.shape[1]
    top = torch.cat(selected, dim=1)  # (B, K)
    levels = torch.cat([torch.full((n,), index, dtype=torch.int64, device=logits.device)
                        for index, n in enumerate(num_anchors_per_level)])
    batch = torch.arange(len(logits), device=logits.device)[:, None]
    all_scores = torch.sigmoid(logits[batch, top])
    all_boxes = proposals[batch, top]
    all_levels = levels[top]

    final_boxes, final_scores = [], []
    for boxes, scores, level, size in zip(all_boxes, all_scores, all_levels, image_sizes,
                                          strict=True):
        boxes = clip_boxes(boxes, size)
        keep = remove_small_boxes(boxes, min_size)
        boxes, scores, level = boxes[keep], scores[keep], level[keep]
        keep = torch.nonzero(scores >= score_thresh).flatten()
        boxes, scores, level = boxes[keep], scores[keep], level[keep]
        keep = batched_nms(boxes, scores, level, nms_thresh)[:post_nms_top_n]
        final_boxes.append(boxes[keep])
        final_scores.append(scores[keep])
    return final_boxes, final_scores
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    logits, deltas = head(features)
    feature_sizes = [(f.shape[-2], f.shape[-1]) for f in features]
    anchors = multilevel_anchors(batch_shape, feature_sizes, sizes, aspect_ratios,
                                 dtype="float32", device=str(features[0].device))
    anchors = anchors.to(features[0].dtype)
    num_anchors_per_level = [h * w * logit.shape[1]
                             for (h, w), logit in zip(feature_sizes, logits, strict=True)]
    flat_logits, flat_deltas = flatten_predictions(logits, deltas)
    n_img = len(flat_logits)
    boxes = decode(flat_deltas.detach().reshape(-1, 4), anchors.repeat(n_img, 1))
    return filter_proposals(boxes.reshape(n_img, -1, 4), flat_logits, image_sizes,
                            num_anchors_per_level, pre_nms_top_n, post_nms_top_n, nms_thresh,
                            min_size, score_thresh)
    ### END SOLUTION
