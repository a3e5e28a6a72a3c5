"""Mutation testing of graded tests, on the toy assignment."""

from autograder.authoring.mutants.operators import mutants
from autograder.authoring.mutants.run import run


def test_mutants_touch_only_solution_regions(toy) -> None:
    found = list(mutants(toy.root / "vectors.py", "vectors"))
    assert {m.description.split(": ", 1)[1] for m in found} == {
        "Add -> Sub", "dropped 'Add b'", "Mult -> Div", "dropped 'Mult x'"}
    assert all(m.line in (10, 23) for m in found)  # the two region lines, nothing else
    assert all("def add(a: np.ndarray, b: np.ndarray)" in m.source for m in found)


def test_all_toy_mutants_are_killed(toy) -> None:
    report = run(toy)
    assert [r.status for r in report.results] == ["killed"] * 4
    assert report.rate() == 1.0 and report.rate("scaling") == 1.0


def test_equivalent_and_uncovered_mutants_are_reported(toy) -> None:
    (toy.root / "mutants.toml").write_text(
        '[[equivalent]]\nid = "vectors:10:11:swap-op"\nreason = "pretend: a - b == a + b here"\n')
    hidden = toy.root / "hidden" / "test_vectors.py"
    hidden.write_text(hidden.read_text().split('@part("scaling")')[0])  # no test of Scaler
    report = run(toy)
    status = {r.mutant.id: r.status for r in report.results}
    assert status["vectors:10:11:swap-op"] == "equivalent"
    assert status["vectors:23:15:swap-op"] == "not-covered"
    assert report.rate() == 1 / 3  # one killed of three counted; the equivalent is left out


def test_commutative_calls_and_check_flags_are_not_mutated(tmp_path) -> None:
    module = tmp_path / "ops.py"
    module.write_text(
        "import numpy as np\n\n\ndef f(a, b):\n    ### BEGIN SOLUTION\n"
        "    pairs = list(zip(a, b, strict=True))\n"
        "    return np.maximum(a, b), max(a, b), np.subtract(a, b), pairs\n"
        "    ### END SOLUTION\n")
    found = {m.description.split(": ", 1)[1] for m in mutants(module, "ops")}
    assert "np.subtract(a, b) -> (b, a)" in found  # not commutative: still swapped
    assert not any("maximum" in d or d.startswith("max(") for d in found)
    assert not any(d in ("True -> False", "False -> True") for d in found)  # strict= kept


def test_a_sample_estimates_the_rate_with_the_known_survivors(toy) -> None:
    """CI's gate on a sample: the sample's rate among mutants not listed as known survivors,
    times their share; a known survivor in the sample is not graded."""
    from autograder.authoring.mutants.run import KNOWN_REASON

    (toy.root / "mutants.toml").write_text(
        '[[survivor]]\nid = "vectors:10:11:swap-op"\nreason = "pretend it survived"\n')
    report = run(toy, sample=3, seed=0)
    assert report.sampled and report.population == 4 and report.known_survivors == 1
    assert report.gate_rate() == 0.75  # every sampled fresh mutant killed: 1 - 1/4
    known = [r for r in report.results if r.mutant.id == "vectors:10:11:swap-op"]
    assert all(r.status == "survived" and r.reason == KNOWN_REASON for r in known)
    assert run(toy).gate_rate() == 1.0  # a full run grades the listed survivor: it is killed
