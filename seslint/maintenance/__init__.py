"""Maintainer tools (not used at run time)."""


def write_or_check(path, text: str, check: bool) -> int:
    """Write a generated data file, or with `check` only say whether the one on disk is current (exit 1 if not)."""
    if check:
        same = path.exists() and path.read_text(encoding="utf-8") == text
        print(f"{path}: {'up to date' if same else 'out of date'}")
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0
