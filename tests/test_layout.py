"""The repository's map is what the stages say: the README's table of the
beyond/ stages names each one with the parent its Makefile prints."""

import re

import pytest

from conftest import BEYOND, REPO, make

ROW = re.compile(r"^\| \[(beyond/[\w-]+)\]\(\1/README\.md\) \| ([\w/-]+) \|", re.MULTILINE)


def readme_parents():
    return dict(ROW.findall((REPO / "README.md").read_text()))


def test_every_beyond_stage_is_in_the_readme():
    assert sorted(readme_parents()) == sorted(BEYOND)


@pytest.mark.parametrize("stage", BEYOND)
def test_the_readme_names_the_parent_the_makefile_prints(stage):
    assert readme_parents().get(stage) == make("-s", "-C", stage, "parent").strip()
