#!/usr/bin/env bash
# Prints a Python interpreter that can import pytest (the first python3 on
# PATH may be a private one without it; Debian's is /usr/bin/python3).
for python in python3 /usr/bin/python3 /usr/local/bin/python3; do
    if command -v "$python" >/dev/null && "$python" -c "import pytest" 2>/dev/null; then
        command -v "$python"
        exit 0
    fi
done
echo "error: no python3 with pytest found: run 'sudo apt-get install python3-pytest'" >&2
exit 1
