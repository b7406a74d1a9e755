"""The exercises' solutions. Each chapter's exercises have solutions, as
patches in the stage's solutions/ folder (`make solution STEP=... N=...`
applies one to a scratch copy). Here each is applied to a scratch copy of
its stage, which must then show what the chapter says success looks like;
the stage as it is must not (so the check can fail). Exercises that are
questions, not code, have no patch, and their answers are in the chapter.

To add one: write stepNN-*/solutions/N.patch (a diff of the stage
directory, `diff -ru stage copy`, applied with `patch -p1`), and its check
in tests/solutions/STAGE.py, registered with @solution("stepNN-...", N)
from tests/solutions/__init__.py (beyond/NAME: beyond/NAME/solutions/N.patch,
tests/solutions/beyond_NAME.py, @solution("beyond/NAME", N)).
"""

import importlib
import shutil
import subprocess

import pytest

from conftest import REPO, Stage
from solutions import CHECKS, INTERACTIVE

PATCHES = sorted(REPO.glob("step*/solutions/*.patch")) + \
    sorted(REPO.glob("final/solutions/*.patch")) + sorted(REPO.glob("beyond/*/solutions/*.patch"))
for module in sorted((REPO / "tests" / "solutions").glob("[a-z]*.py")):
    importlib.import_module(f"solutions.{module.stem}")


def solved_copy(stage, number, tmp_path):
    """A copy of the stage with the patch applied, as `make solution` makes."""
    copy = tmp_path / stage
    shutil.copytree(REPO / stage, copy, ignore=shutil.ignore_patterns("build", "solutions"))
    patch = REPO / stage / "solutions" / f"{number}.patch"
    result = subprocess.run(["patch", "-s", "-p1", "-d", copy, "-i", patch],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"{patch} does not apply:\n{result.stdout}{result.stderr}"
    return copy


# ---------------------------------------------------------------- the tests

def test_every_solution_has_a_check():
    found = {(p.parent.parent.relative_to(REPO).as_posix(), int(p.stem)) for p in PATCHES}
    assert found == set(CHECKS), (f"patches without a check: {sorted(found - set(CHECKS))}, "
                                  f"checks without a patch: {sorted(set(CHECKS) - found)}")


@pytest.mark.parametrize("stage, number", [
    pytest.param(*key, marks=[pytest.mark.interactive] if key in INTERACTIVE else [])
    for key in sorted(CHECKS)])
def test_the_solution_does_what_the_chapter_promises(qemu, tmp_path, stage, number):
    check = CHECKS[(stage, number)]
    check(qemu, Stage(stage, directory=solved_copy(stage, number, tmp_path)))
    # ... and the stage without it does not.
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        check(qemu, Stage(stage))
