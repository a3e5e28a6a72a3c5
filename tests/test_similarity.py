"""Code similarity across a batch: two planted near-copies (renamed variables, reordered
functions) among independent submissions are the only pairs reported."""

import re
import shutil
from pathlib import Path

from autograder import assignment as assignment_mod
from autograder.assignment import EXAMPLES
from autograder.instructor.similarity import similar_pairs, write_page

ID = "a01_foundations"


def _disguised(source: Path, dest: Path) -> Path:
    """A copy with every local name renamed and the top-level definitions of each module in
    reverse order: what a student who copies does to hide it."""
    shutil.copytree(source, dest)
    for path in dest.glob("*.py"):
        text = re.sub(r"\b(x|y|grad|out|loss|batch|params|lr)\b", lambda m: m.group(1) + "_v2",
                      path.read_text())
        head, *blocks = re.split(r"\n(?=def |class )", text)
        path.write_text("\n".join([head, *reversed(blocks)]))
    return dest


def test_planted_copies_are_the_pairs_found(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    for name in ("perfect", "alternative"):
        shutil.copytree(EXAMPLES / ID / name, batch / name)
    _disguised(EXAMPLES / ID / "alternative", batch / "copy_of_alternative")
    _disguised(EXAMPLES / ID / "perfect", batch / "copy_of_perfect")
    spec = assignment_mod.load(ID)
    pairs = similar_pairs([batch], spec, threshold=0.5)
    found = {frozenset((p.first, p.second)) for p in pairs}
    assert found == {frozenset(("alternative", "copy_of_alternative")),
                     frozenset(("perfect", "copy_of_perfect"))}, [
        (p.first, p.second, p.similarity) for p in pairs]
    page = write_page(pairs, tmp_path / "similarity.html", title=ID, threshold=0.5).read_text()
    assert page.count("<div class='pair'>") == 2 and "highlight-red" in page


def test_the_released_stub_alone_is_not_similarity(tmp_path: Path) -> None:
    for name in ("a", "b"):
        shutil.copytree(EXAMPLES / ID / "stub", tmp_path / name)
    assert similar_pairs([tmp_path], assignment_mod.load(ID), threshold=0.3) == []
