"""Tests of dnn.seg_shapes: the generated segmentation set and the Oxford-IIIT Pet loader."""

import numpy as np
import pytest
from PIL import Image

from dnn.seg_shapes import NUM_CLASSES, load_pet_segmentation, make_seg_shapes


def test_shapes_are_deterministic_and_consistent():
    a = make_seg_shapes(12, seed=4)
    b = make_seg_shapes(12, seed=4)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.semantic, b.semantic)
    assert a.images.shape == (12, 3, 32, 32) and a.images.min() >= 0 and a.images.max() <= 1
    assert a.semantic.min() >= 0 and a.semantic.max() < NUM_CLASSES
    for sem, inst, labels in zip(a.semantic, a.instances, a.instance_labels, strict=True):
        ids = np.unique(inst[inst > 0])
        assert list(ids) == list(range(1, len(labels) + 1)), "instance ids are 1..K, all visible"
        for k in ids:
            assert np.all(sem[inst == k] == labels[k - 1] + 1)
        assert np.all((sem == 0) == (inst == 0))
    assert not np.array_equal(a.images, make_seg_shapes(12, seed=5).images)


def test_shapes_overlap_sometimes_and_reject_bad_arguments():
    data = make_seg_shapes(200, max_objects=3, seed=0)
    hidden = sum(len(lab) < 3 for lab in data.instance_labels)
    assert hidden > 0
    with pytest.raises(ValueError):
        make_seg_shapes(2, size=8)
    with pytest.raises(ValueError):
        make_seg_shapes(-1)
    with pytest.raises(ValueError):
        make_seg_shapes(2, max_objects=0)


def test_pet_loader_names_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="oxford-iiit-pet"):
        load_pet_segmentation(tmp_path)


def test_pet_loader_reads_a_fake_folder(tmp_path):
    base = tmp_path / "oxford-iiit-pet"
    (base / "images").mkdir(parents=True)
    (base / "annotations" / "trimaps").mkdir(parents=True)
    names = ["Abyssinian_1", "beagle_2"]
    (base / "annotations" / "trainval.txt").write_text(
        "".join(f"{n} {i + 1} 1 1\n" for i, n in enumerate(names)))
    rng = np.random.default_rng(0)
    for n in names:
        Image.fromarray(rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)).save(
            base / "images" / f"{n}.jpg")
        trimap = np.full((20, 24), 2, dtype=np.uint8)
        trimap[5:15, 6:18] = 1
        trimap[5, 6:18] = 3
        Image.fromarray(trimap).save(base / "annotations" / "trimaps" / f"{n}.png")
    images, trimaps = load_pet_segmentation(tmp_path, size=16)
    assert images.shape == (2, 3, 16, 16) and trimaps.shape == (2, 16, 16)
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert set(np.unique(trimaps)) <= {1, 2, 3} and (trimaps == 1).any()
    images, _ = load_pet_segmentation(tmp_path, size=8, limit=1)
    assert len(images) == 1
