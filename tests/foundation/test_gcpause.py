"""seslint.gcpause: the cyclic collector is paused for the span of the work and back on after it,
whatever happens, and only if it was on; lint and the batch use it."""

import gc

import pytest

from seslint import gcpause
from seslint.lint import engine
from seslint.lint.config import Config


def test_paused_within_and_on_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(ValueError), gcpause.paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    try:
        with gcpause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_lint_runs_with_the_collector_paused(tmp_path, monkeypatch):
    seen = []
    (tmp_path / "p.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    original = engine._lint_files

    def spy(*args):
        seen.append(gc.isenabled())
        return original(*args)

    monkeypatch.setattr(engine, "_lint_files", spy)
    engine.run([str(tmp_path)], Config(), jobs=1)
    assert seen == [False] and gc.isenabled()
