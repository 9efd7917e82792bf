"""Ctrl-C (issue 26): a SIGINT at any point of a long run exits 130 with one line on stderr, never
1 or 4 and never a traceback (z3 answers "unknown" when it takes the signal itself)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.bench.bench_prove import account

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")


@pytest.fixture(scope="module")
def big_account(tmp_path_factory):
    """1,000 principals over 60 distinct policies: an audit of about half a minute on 2 cores."""
    path = tmp_path_factory.mktemp("interrupt") / "auth.json"
    path.write_text(json.dumps(account(1000, 60, 7)))
    return path


@pytest.mark.parametrize("after", [0.6, 1.5, 3.0, 5.0])
def test_sigint_during_a_1000_principal_audit(big_account, after):
    process = subprocess.Popen([sys.executable, "-m", "seslint", "audit", "--auth-details", str(big_account)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": ""})
    time.sleep(after)
    assert process.poll() is None, "the audit ended before the signal: the test no longer interrupts it"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert err.decode() == "seslint: interrupted\n"
