"""Public tests of seg_metrics.py."""

import math

import seg_metrics
import torch


def test_confusion_matrix_rows_are_true_classes():
    pred = torch.tensor([0, 1, 1, 2, 2])
    target = torch.tensor([0, 0, 1, 2, 255])
    cm = seg_metrics.confusion_matrix(pred, target, 3, ignore_index=255)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]


def test_iou_and_miou_skip_absent_classes():
    cm = torch.tensor([[3, 0, 1], [0, 0, 0], [0, 0, 2]])
    iou = seg_metrics.per_class_iou(cm)
    assert abs(iou[0].item() - 0.75) < 1e-12 and math.isnan(iou[1].item())
    assert abs(seg_metrics.mean_iou(cm) - (0.75 + 2 / 3) / 2) < 1e-12
    assert abs(seg_metrics.pixel_accuracy(cm) - 5 / 6) < 1e-12


def test_meter_adds_batches():
    meter = seg_metrics.SegmentationMeter(2)
    meter.update(torch.tensor([0, 1]), torch.tensor([0, 1]))
    meter.update(torch.tensor([1]), torch.tensor([0]))
    assert meter.cm.tolist() == [[1, 1], [0, 1]]
