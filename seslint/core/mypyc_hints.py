"""`mypyc_attr`, for the opt-in compiled build (pyproject.toml's mypyc hook), without making mypy_extensions a
dependency of the plain install. Not compiled itself: the compiled build imports it as plain Python."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr as mypyc_attr
else:
    try:
        from mypy_extensions import mypyc_attr
    except ImportError:   # the plain install: the attribute matters to the compiled build only
        def mypyc_attr(*_args, **_kwargs):
            return lambda cls: cls
