"""`generate --from-code`: the SES calls an application's source makes, and the policy they need.

    scan(paths) -> Scan                      every call site (file:line), per language
    policy.plan_site(site, region, account)  the IAM requests of one (send model; matrix for the rest)
    coverage                                 what a policy lacks or grants beyond (`lint --code`)

seslint.generate.fromcode builds the policy from the planned requests and proves it.
Modules: model (a call site), sites (request members -> call site), files (which files),
python (ast), treesitter (the grammar packages, loaded lazily) and one module per language family
(javascript, golang, jvm, php, ruby), django (mail settings), policy, coverage, explain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seslint.fromcode.model import CallSite, Value


@dataclass
class Scan:
    sites: list[CallSite] = field(default_factory=list)
    files: int = 0
    skipped: list[str] = field(default_factory=list)   # why a language was not read (grammar not installed)


def scan(paths, *, display_root: str | None = None) -> Scan:
    """Every SES call site in the source files under `paths` (files or folders)."""
    import os

    from seslint.fromcode import files as F

    found = F.discover(paths)
    out = Scan(files=len(found))
    by_language: dict[str, list[tuple[str, str]]] = {}
    for path, language in found:
        text = F.read(path)
        if text is None:
            continue
        shown = os.path.relpath(path, display_root) if display_root else path
        by_language.setdefault(language, []).append((shown.replace(os.sep, "/"), text))
    for language, texts in sorted(by_language.items()):
        out.sites += _scan_language(language, texts, out.skipped)
    out.sites.sort(key=lambda s: (s.file, s.line, s.operation, s.contents))
    return out


def _scan_language(language: str, texts: list[tuple[str, str]], skipped: list[str]) -> list[CallSite]:
    if language == "python":
        from seslint.fromcode import python

        return python.scan(texts)
    from seslint.fromcode import treesitter

    if not treesitter.available(language):
        skipped.append(f"{len(texts)} {language} file(s) not read: {treesitter.missing_help(language)}")
        return []
    module = {"javascript": "javascript", "typescript": "javascript", "tsx": "javascript", "go": "golang",
              "java": "jvm", "kotlin": "jvm", "php": "php", "ruby": "ruby"}[language]
    import importlib

    scanner = importlib.import_module(f"seslint.fromcode.{module}")
    out = []
    for path, text in texts:
        out += scanner.scan(path, text, language)
    if hasattr(scanner, "scan_all"):   # what takes several files at once (Rails config + mailers)
        out += scanner.scan_all(texts)
    return out


__all__ = ["CallSite", "Scan", "Value", "scan"]
