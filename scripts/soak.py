"""make soak: run the tests again and again, and count which ones failed.

A test that fails one run in ten passes most single runs: only repetition
shows it. This runs pytest N times in a row, with the arguments given
(`--stage final`, `-m interactive`, ...), and prints one line per run, then
one line per test that failed at least once, with how often, and last

    20 runs: 0 failed

(the number of runs with any failure). The QEMU consoles of a failing
run are kept in tests/logs/soak/run-K/. Exit status 1 if any run failed.

usage: python3 scripts/soak.py N [pytest arguments...]
"""

import collections
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOGS = REPO / "tests" / "logs"


def failed_tests(junit_xml):
    """The node ids of the tests that failed or errored in one run."""
    failed = []
    for case in ElementTree.parse(junit_xml).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.append(f"{module}.py::{case.get('name')}")
    return failed


def counts(junit_xml):
    suite = ElementTree.parse(junit_xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    return {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}


def keep_logs(run):
    """Move the consoles the harness saved for this run's failures aside."""
    saved = LOGS / "soak" / f"run-{run}"
    for log in LOGS.glob("*.log"):
        saved.mkdir(parents=True, exist_ok=True)
        shutil.move(str(log), saved / log.name)
    return saved


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit("usage: soak.py N [pytest arguments...]")
    runs, pytest_args = int(sys.argv[1]), sys.argv[2:]
    failures = collections.Counter()
    failed_runs = 0
    keep_logs("before")  # logs of earlier runs are not this soak's
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(1, runs + 1):
            junit = Path(scratch) / f"run-{run}.xml"
            start = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
                 f"--junitxml={junit}", *pytest_args],
                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            took = time.monotonic() - start
            if not junit.exists():  # pytest could not even start
                print(result.stdout)
                sys.exit(f"run {run}: pytest exited with {result.returncode} and no report")
            failed = failed_tests(junit)
            n = counts(junit)
            passed = n["tests"] - n["failures"] - n["errors"] - n["skipped"]
            line = f"run {run}/{runs}: {passed} passed, {len(failed)} failed"
            if n["skipped"]:
                line += f", {n['skipped']} skipped"
            line += f" ({took:.0f} s)"
            if failed or result.returncode not in (0, 5):  # 5: no test selected
                failed_runs += 1
                failures.update(failed)
                line += f"; consoles in {keep_logs(run).relative_to(REPO)}/"
                for test in failed:
                    line += f"\n    FAILED {test}"
            print(line, flush=True)
    for test, count in failures.most_common():
        print(f"{count}/{runs} failed: {test}")
    print(f"{runs} runs: {failed_runs} failed")
    sys.exit(1 if failed_runs else 0)


if __name__ == "__main__":
    main()
