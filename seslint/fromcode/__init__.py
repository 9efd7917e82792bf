"""`generate --from-code`: the SES calls an application's source makes, and the policy they need.

    scan(paths) -> Scan                  every call site (file:line), per language
    plan_sites(sites, region, account)   the IAM requests of each (send model; matrix for the rest)
    build(planned) -> policy             the least-privilege policy for them
    check(planned, policy, ...)          the proofs: every send allowed; a literal From pins the sender

Modules: model (a call site), sites (request members -> call site), files (which files),
python (ast), treesitter (the grammar packages, loaded lazily) and one module per language family
(javascript, golang, jvm, php, ruby), django (mail settings), policy, proofs, explain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seslint.fromcode.model import CallSite, Value


@dataclass
class Scan:
    sites: list[CallSite] = field(default_factory=list)
    files: int = 0
    parsed: int = 0
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
        out.parsed += len(texts)
        out.sites += _scan_language(language, texts, out.skipped)
    out.sites.sort(key=lambda s: (s.file, s.line, s.operation, s.contents))
    return out


@dataclass
class Generated:
    """The outcome of `generate --from-code`."""

    scan: Scan
    planned: list
    policy: dict
    proofs: list

    @property
    def widened(self) -> list:
        return [w for p in self.planned for w in p.widened]

    @property
    def proven(self) -> bool:
        return all(p.ok for p in self.proofs)


def generate(paths, *, region: str | None = None, account: str | None = None, display_root: str | None = None,
             check: bool = True) -> Generated:
    """Scan `paths`, plan every call site, build the policy and (with `check`) prove it."""
    from seslint.errors import InputError
    from seslint.fromcode.policy import build, plan_site
    from seslint.fromcode.proofs import check as prove_policy

    found = scan(paths, display_root=display_root)
    if not found.sites:
        why = "; ".join(found.skipped)
        raise InputError(f"no SES call found in {found.files} source file(s)" + (f" ({why})" if why else ""),
                         source=" ".join(paths),
                         help="seslint reads boto3, the AWS SDKs for JavaScript, Go, Java/Kotlin, PHP and Ruby, "
                              "nodemailer, Django and Rails mail settings, and SMTP to SES endpoints")
    planned = [plan_site(s, region=region, account=account) for s in found.sites]
    policy = build(planned)
    proofs = prove_policy(planned, policy, account) if check else []
    return Generated(found, planned, policy, proofs)


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


__all__ = ["CallSite", "Generated", "Scan", "Value", "generate", "scan"]
