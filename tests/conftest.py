"""What every test folder shares: the one CLI runner and the Hypothesis profiles."""

from __future__ import annotations

import os
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, settings

# CI: the same examples on every run (derandomize), no per-example deadline (a slow shared runner is
# not a failure), fewer examples. Selected when CI=true; HYPOTHESIS_PROFILE overrides.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=50, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))


class Run(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def invoke(*args: str, input: str | None = None) -> Run:
    """Run `seslint ARGS` through the console entry point, exit-code mapping included.

    Anything but SystemExit escapes: an exception here is a bug the CLI let through (a traceback).
    """
    from click.testing import CliRunner

    from seslint.cli import main

    with CliRunner().isolation(input=input) as (out, err, _):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        return Run(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def cli():
    """`cli("lint", PATH, ...)` -> Run(code, out, err): the seslint command line as a user runs it."""
    return invoke
