"""The mistakes catalogue: each entry graded with its part's tests, public tests measured."""

import pytest

from autograder.assignment import Assignment, SpecError
from autograder.authoring.mistakes import check, load, problems

CATALOGUE = '''
[[mistake]]
name = "subtracts"
part = "sums"
module = "vectors"
why = "a - b instead of a + b"
find = "    return a + b\\n"
replace = "    return a - b\\n"

[[mistake]]
name = "scaler_ignores_k"
part = "scaling"
module = "vectors"
why = "returns x unscaled"
find = "        return self.k * x\\n"
replace = "        return x\\n"

[[mistake]]
name = "harmless"
part = "scaling"
module = "vectors"
why = "not a mistake at all: must be reported as missed"
find = "        return self.k * x\\n"
replace = "        return x * self.k\\n"
'''


def _with_catalogue(toy: Assignment, text: str) -> Assignment:
    (toy.root / "mistakes.toml").write_text(text)
    return toy


def test_caught_missed_and_flagged_are_reported(toy: Assignment) -> None:
    results = {r.mistake.name: r for r in check(_with_catalogue(toy, CATALOGUE))}
    assert results["subtracts"].caught and results["scaler_ignores_k"].caught
    assert not results["harmless"].caught and not results["harmless"].flagged
    assert results["subtracts"].flagged, "the toy's public test of add fails on a - b"
    found = problems(toy, list(results.values()))
    assert any("'harmless' loses no points in part 'scaling'" in p for p in found)
    assert any("at least 12" in p for p in found)


def test_local_mode_reaches_the_same_verdicts(toy: Assignment) -> None:
    """CI grades the catalogue in forks of the warm judge (--local): same caught and missed."""
    results = {r.mistake.name: r for r in check(_with_catalogue(toy, CATALOGUE), mode="local",
                                                public=False)}
    assert results["subtracts"].caught and results["scaler_ignores_k"].caught
    assert not results["harmless"].caught
    assert "no graded test" not in results["harmless"].detail


@pytest.mark.parametrize(("old", "new", "message"), [
    ('find = "    return a + b\\n"', 'find = "    return a * b\\n"', "occurs 0 times"),
    ('part = "sums"', 'part = "products"', "unknown part"),
])
def test_a_broken_entry_is_refused_with_its_name(toy: Assignment, old: str, new: str,
                                                 message: str) -> None:
    with pytest.raises(SpecError, match=rf"\[subtracts\].*{message}"):
        load(_with_catalogue(toy, CATALOGUE.replace(old, new)))
