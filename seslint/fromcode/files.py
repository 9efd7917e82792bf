"""Which files a scan reads: source files by extension, folders walked without the ones that hold
dependencies or build output, and a cheap text test before any file is parsed."""

from __future__ import annotations

import os
import re

from seslint.errors import InputError

LANGUAGES = {".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
             ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx", ".go": "go",
             ".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".php": "php", ".rb": "ruby"}
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "vendor", "venv", ".venv", "env", ".tox", "__pycache__", "dist",
             "build", "target", ".next", ".nuxt", "coverage", "site-packages", ".gradle", ".idea", "bower_components"}
MAX_BYTES = 2_000_000
#: A file none of these words appear in (any case) makes no SES call (settings included): it is not
#: parsed. A quoted address or region is a hint too: a constants module another file's call reads its
#: From or region from. Plain substring tests over the lowered text: a case-insensitive alternation
#: costs ten times as much on a large repository.
_WORDS = (b"ses", b"email-smtp", b"email_backend", b"anymail", b"action_mailer", b"send_raw_email", b"send_email",
          b"send_bulk", b"template_id", b"nodemailer", b"actionmailer", b"smtplib", b"send_mail", b"emailmessage")
_DEFAULT_FROM = re.compile(rb"default\s+from")
_ADDRESS = re.compile(rb"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+['\"]")
_REGION = re.compile(rb"['\"][a-z]{2}(?:-gov)?-[a-z]+-\d['\"]")


def _hinted(raw: bytes) -> bool:
    low = raw.lower()
    return any(w in low for w in _WORDS) or b"default" in low and _DEFAULT_FROM.search(low) is not None or \
        _ADDRESS.search(raw) is not None or _REGION.search(raw) is not None


def discover(paths) -> list[tuple[str, str]]:
    """(path, language) of every source file under `paths`, sorted; a path that does not exist is an error."""
    out = []
    for path in paths:
        if os.path.isfile(path):
            language = LANGUAGES.get(os.path.splitext(path)[1].lower())
            if language:
                out.append((path, language))
            continue
        if not os.path.isdir(path):
            raise InputError("no such file or folder", source=path, help="give the application's source folders")
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(names):
                language = LANGUAGES.get(os.path.splitext(name)[1].lower())
                if language:
                    out.append((os.path.join(root, name), language))
    return sorted(set(out))


def read(path: str) -> str | None:
    """The text of a source file worth parsing, or None (too large, binary, or no word of SES in it)."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=path) from exc
    if b"\0" in raw[:1024] or not _hinted(raw):
        return None
    return raw.decode("utf-8", errors="replace")
