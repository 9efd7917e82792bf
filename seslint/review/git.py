"""Files at a revision, read with git plumbing (`git diff`, `git cat-file`): the work tree, the index
and HEAD are never touched."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from seslint.errors import SeslintError, UsageError
from seslint.lint.inputs import EXTENSIONS, SKIP_DIRS

WORKTREE = "worktree"


@dataclass(frozen=True)
class FileChange:
    """A lint input that differs: its path at base (None: added) and at head (None: removed)."""

    status: str
    old: str | None
    new: str | None


class Repository:
    """The git work tree that holds `cwd`."""

    def __init__(self, cwd: str = "."):
        self.cwd = os.path.abspath(cwd)
        self.top = self._git("rev-parse", "--show-toplevel", cwd=self.cwd,
                             problem="not inside a git work tree: run seslint review in a clone").strip()

    def _git(self, *args: str, cwd: str | None = None, data: bytes | None = None, problem: str = "") -> str:
        return self._run(*args, cwd=cwd, data=data, problem=problem).decode("utf-8", "surrogateescape")

    def _run(self, *args: str, cwd: str | None = None, data: bytes | None = None, problem: str = "") -> bytes:
        try:
            done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd or self.top, input=data,
                                  capture_output=True, check=False)
        except OSError as exc:
            raise UsageError(f"cannot run git: {exc.strerror or exc}", help="install git") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageError(problem or f"git {args[0]} failed: {detail[-1] if detail else done.returncode}")
        return done.stdout

    def commit(self, rev: str) -> str:
        """The full SHA of the commit `rev` names."""
        if rev.startswith("-"):
            raise UsageError(f"'{rev}' is not a revision")
        return self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
                         problem=f"unknown revision '{rev}'").strip()

    def pathspecs(self, paths: list[str]) -> list[str]:
        """PATH arguments (relative to where seslint runs) as paths from the top of the work tree."""
        out = []
        for path in paths or ["."]:
            full = os.path.normpath(os.path.join(self.cwd, path))
            rel = os.path.relpath(full, self.top)
            if rel == os.pardir or rel.startswith(os.pardir + os.sep):
                raise UsageError(f"'{path}' is outside the git work tree {self.top}")
            out.append(rel.replace(os.sep, "/"))
        return out

    def changes(self, base: str, head: str, specs: list[str]) -> list[FileChange]:
        """The lint inputs under `specs` that differ between `base` and `head` (a SHA, or WORKTREE: the
        files as they are, untracked ones too, ignored ones not), a file moved unchanged paired with itself."""
        literal = [f":(literal){s}" if s != "." else "." for s in specs]
        # renames pair only when the content is the same: a similar file (a template's skeleton) is another place
        args = ["diff", "--name-status", "-z", "--find-renames=100%", "--no-ext-diff", "--no-textconv", "--no-color",
                base]
        out = self._git(*args, *([] if head == WORKTREE else [head]), "--", *literal).split("\0")
        found: list[FileChange] = []
        i = 0
        while i < len(out) - 1:
            status = out[i]
            old: str | None
            new: str | None
            if status[:1] in "RC":
                old, new = out[i + 1], out[i + 2]
                i += 3
            else:
                old = new = out[i + 1]
                i += 2
            if status[:1] == "A":
                old = None
            elif status[:1] == "D":
                new = None
            elif status[:1] == "C":
                old = None   # a copy is a new file
            found.append(FileChange(status[:1], old, new))
        if head == WORKTREE:
            untracked = self._git("ls-files", "-z", "--others", "--exclude-standard", "--", *literal)
            found += [FileChange("A", None, p) for p in untracked.split("\0") if p]
        return sorted((c for c in found if any(_lint_input(p) for p in (c.old, c.new) if p)),
                      key=lambda c: (c.new or c.old or "", c.old or ""))

    def read(self, rev: str, paths: list[str]) -> dict[str, bytes]:
        """The content of each path at `rev` (a SHA, or WORKTREE); a path that is no file there is left out."""
        if rev == WORKTREE:
            out = {}
            for path in paths:
                try:
                    with open(os.path.join(self.top, path), "rb") as f:
                        out[path] = f.read()
                except OSError:
                    continue
            return out
        if not paths:
            return {}
        if any("\n" in p for p in paths):
            raise SeslintError("a file name with a line break cannot be read from git")
        data = self._run("cat-file", "--batch", data="".join(f"{rev}:{p}\n" for p in paths).encode("utf-8",
                                                                                                  "surrogateescape"))
        out, at = {}, 0
        for path in paths:
            end = data.index(b"\n", at)
            header = data[at:end].split()
            at = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                out[path] = data[at:at + size]
                at += size + 1
            elif len(header) == 3:   # a tree or a submodule at that path: its content is no file
                at += int(header[2]) + 1
        return out


def _lint_input(path: str) -> bool:
    """Whether `seslint lint` reads the file when it searches a folder (same extensions, same skipped folders)."""
    parts = path.split("/")
    return path.lower().endswith(EXTENSIONS) and not any(p in SKIP_DIRS for p in parts[:-1])
