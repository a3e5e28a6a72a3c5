"""Release: stubs from solution regions, copied files, nothing private, errors before writes."""

import json
from pathlib import Path

import pytest

from autograder.authoring import release
from autograder.authoring.markers import MarkerError, find_regions, stub_source


def test_stub_replaces_regions_and_keeps_signatures(toy) -> None:
    stub = stub_source(toy.root / "vectors.py", (toy.root / "vectors.py").read_text(), "vectors")
    assert "return a + b" not in stub and "self.k * x" not in stub
    assert "def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:" in stub
    assert "raise NotImplementedError('implement add in vectors.py (hint: numpy adds arrays " \
        "elementwise)')" in stub
    assert "        raise NotImplementedError('implement Scaler.forward in vectors.py')" in stub
    assert '"""Elementwise a + b; shapes (N,) and (N,)."""' in stub


def _release_toy(toy) -> Path:
    solutions = toy.root.parent
    release.release(["toy"], solutions=solutions, assignments=solutions.parent / "assignments",
                    examples=solutions.parent / "examples")
    return solutions.parent / "assignments" / "toy"


def test_release_writes_stubs_tests_and_nothing_hidden(toy) -> None:
    out = _release_toy(toy)
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == ["api.json", "assignment.toml", "conftest.py", "tests/test_public.py",
                     "vectors.py"]
    api = json.loads((out / "api.json").read_text())  # names only: nothing of the tests' content
    assert api["parts"] == {"sums": {"points": 3.0, "functions": ["vectors.add"]},
                            "scaling": {"points": 2.0, "functions": ["vectors.Scaler"]}}
    assert set(api["modules"]["vectors"]) == {"add", "Scaler", "Scaler.__init__",
                                              "Scaler.forward"}


def test_check_is_clean_after_release_and_sees_drift(toy) -> None:
    out = _release_toy(toy)
    kwargs = {"solutions": toy.root.parent, "assignments": out.parent,
              "examples": toy.root.parent.parent / "examples"}
    assert release.check(["toy"], **kwargs) == []
    (out / "vectors.py").write_text("# edited by hand\n")
    (out / "extra.py").write_text("")
    problems = release.check(["toy"], **kwargs)
    assert any("differs" in p and "vectors.py" in p for p in problems)
    assert any("not from solutions/" in p and "extra.py" in p for p in problems)


BAD_SOURCES = {
    "unbalanced": ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", 2, "never closed"),
    "end_alone": ("def f():\n    return 1\n    ### END SOLUTION\n", 3, "without a"),
    "nested": ("def f():\n    ### BEGIN SOLUTION\n    x = 1\n    ### BEGIN SOLUTION\n"
               "    return x\n    ### END SOLUTION\n    ### END SOLUTION\n", 4, "nested"),
    "module_level": ("### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n", 1, "inside one function"),
    "class_level": ("class A:\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\n", 2,
                    "inside one function"),
    "two_functions": ("def f():\n    ### BEGIN SOLUTION\n    return 1\n\ndef g():\n"
                      "    return 2\n    ### END SOLUTION\n", 2, "inside one function"),
}


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_bad_markers_name_file_and_line(case) -> None:
    source, line, message = BAD_SOURCES[case]
    with pytest.raises(MarkerError, match=rf"mod\.py:{line}: .*{message}"):
        find_regions(Path("mod.py"), source)


def test_bad_markers_abort_the_release_before_any_write(toy) -> None:
    out = _release_toy(toy)
    before = (out / "vectors.py").read_text()
    (toy.root / "vectors.py").write_text("def f():\n    ### BEGIN SOLUTION\n    return 1\n")
    with pytest.raises(release.ReleaseError, match="vectors.py:2"):
        release.release(["toy"], solutions=toy.root.parent, assignments=out.parent,
                        examples=toy.root.parent.parent / "examples")
    assert (out / "vectors.py").read_text() == before


def test_missing_module_is_an_error(toy) -> None:
    (toy.root / "vectors.py").unlink()
    with pytest.raises(release.ReleaseError, match="vectors.*missing"):
        release.release(["toy"], solutions=toy.root.parent,
                        assignments=toy.root.parent.parent / "assignments",
                        examples=toy.root.parent.parent / "examples")
    assert not (toy.root.parent.parent / "assignments").exists()


def test_release_generates_perfect_and_stub_examples(toy) -> None:
    _release_toy(toy)
    examples = toy.root.parent.parent / "examples" / "toy"
    perfect = (examples / "perfect" / "vectors.py").read_text()
    assert "return a + b" in perfect and "SOLUTION" not in perfect and "HINT" not in perfect
    assert "NotImplementedError" in (examples / "stub" / "vectors.py").read_text()


def test_variants_are_the_perfect_submission_with_one_edit(toy) -> None:
    examples = toy.root.parent.parent / "examples"
    (examples / "toy").mkdir(parents=True)
    variants = examples / "toy" / "variants.toml"
    variants.write_text('[broken]\nwhy = "x"\nmodule = "vectors"\nfind = "return a + b"\n'
                        'replace = "return a +"\n')
    _release_toy(toy)
    broken = (examples / "toy" / "broken" / "vectors.py").read_text()
    assert "return a +\n" in broken and "self.k * x" in broken
    variants.write_text('[broken]\nwhy = "x"\nmodule = "vectors"\nfind = "absent"\n'
                        'replace = ""\n')
    with pytest.raises(release.ReleaseError, match="occurs 0 times"):
        _release_toy(toy)
