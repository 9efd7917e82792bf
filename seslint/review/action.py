"""The GitHub Action's work (`action.yml` runs `python -m seslint.review.action`): lint to SARIF, review the
pull request, write the job summary and the annotations, and post or update the one comment.

Inputs come as the Action passes them, in the environment: INPUT_PATHS (space- or newline-separated, default
`.`), INPUT_BASE (default: the pull request's base SHA from GITHUB_EVENT_PATH), INPUT_FAIL_ON (default
error), INPUT_COMMENT (true/false), INPUT_SARIF (a path, or empty for none) and INPUT_TOKEN. GitHub's own
variables name the rest: GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY.

The comment is found by its first line, the marker `<!-- seslint-review -->`, and updated in place, so a pull
request has one. A pull request from a fork gets a read-only token: there the review goes to the job summary
and the annotations only, and the summary says so; so it does when the API refuses the comment.
The exit status is the review's (0, 1 gained or a new finding at INPUT_FAIL_ON, 3 undecidable).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from seslint.errors import SeslintError
from seslint.review import render

API_VERSION = "2022-11-28"


class CommentError(Exception):
    """The comment API refused or failed: why, in one line."""


def main(env=None) -> int:
    env = os.environ if env is None else env
    event = _event(env)
    paths = env.get("INPUT_PATHS", "").split() or ["."]
    base = env.get("INPUT_BASE") or (event.get("pull_request") or {}).get("base", {}).get("sha")
    if not base:
        print("::error title=seslint review::no base revision: give the action's `base` input, or run it on "
              "pull_request events")
        return 2
    _fetch(base)
    sarif = env.get("INPUT_SARIF", "").strip()
    if sarif:
        _lint_sarif(paths, sarif)
    try:
        result = _review(paths, base)
    except SeslintError as exc:
        print(f"::error title=seslint review::{exc}")
        return exc.exit_code
    print(render.review_github(result))
    body = render.review_markdown(result)
    notes = []
    if env.get("INPUT_COMMENT", "true").strip().lower() == "true" and event.get("pull_request"):
        notes.append(_comment(env, event, body))
    _summary(env, body, notes)
    code = result.exit_code(env.get("INPUT_FAIL_ON") or "error")
    print(f"seslint review: exit {code} ({render.summary(result)})")
    return code


def _event(env) -> dict:
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _fetch(base: str) -> None:
    """A shallow checkout lacks the base commit: fetch it (the work tree is not touched)."""
    have = subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], capture_output=True, check=False)
    if have.returncode != 0:
        subprocess.run(["git", "fetch", "--no-tags", "--depth=1", "origin", base], capture_output=True, check=False)


def _lint_sarif(paths: list[str], target: str) -> None:
    """`seslint lint PATHS --format sarif` into `target`, for code scanning (every finding at head)."""
    done = subprocess.run([sys.executable, "-m", "seslint", "lint", *paths, "--format", "sarif", "--fail-on", "never",
                           "--skip-unrecognized"], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        print(f"::warning title=seslint lint::no SARIF written: {done.stderr.strip().splitlines()[-1:]}")
        return
    with open(target, "w", encoding="utf-8") as f:
        f.write(done.stdout)


def _review(paths: list[str], base: str):
    from seslint.lint import config, engine
    from seslint.review.run import review

    cfg = config.load(config.find(os.getcwd()), engine.resolve_rules)
    return review(paths, base, None, config=cfg, reach=True)


def _summary(env, body: str, notes: list[str]) -> None:
    path = env.get("GITHUB_STEP_SUMMARY")
    text = body + "".join(f"\n> {note}\n" for note in notes if note)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text + "\n")


def _comment(env, event: dict, body: str) -> str:
    """Post or update the one comment; the sentence the job summary adds (empty when it went well)."""
    pr = event["pull_request"]
    head_repo = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
    base_repo = ((pr.get("base") or {}).get("repo") or {}).get("full_name") or env.get("GITHUB_REPOSITORY")
    if head_repo and base_repo and head_repo != base_repo:
        note = ("This pull request comes from a fork, whose token cannot comment: the review is in this summary "
                "and in the annotations only.")
        print(f"::notice title=seslint review::{note}")
        return note
    try:
        url = _upsert(env.get("GITHUB_API_URL", "https://api.github.com"), base_repo, pr["number"],
                      env.get("INPUT_TOKEN") or env.get("GITHUB_TOKEN", ""), body)
    except CommentError as exc:
        note = (f"The review was not posted as a comment ({exc}): the token needs `pull-requests: write`. "
                "It is in this summary and in the annotations.")
        print(f"::warning title=seslint review::{note}")
        return note
    print(f"seslint review: comment {url}")
    return ""


def _upsert(api: str, repo: str, number: int, token: str, body: str) -> str:
    """Update the comment that starts with the marker, or post one; its URL."""
    page = 1
    while True:
        found = _call("GET", f"{api}/repos/{repo}/issues/{number}/comments?per_page=100&page={page}", token)
        for c in found:
            if c.get("body", "").startswith(render.MARKER):
                return _call("PATCH", f"{api}/repos/{repo}/issues/comments/{c['id']}", token, {"body": body})["html_url"]
        if len(found) < 100:
            break
        page += 1
    return _call("POST", f"{api}/repos/{repo}/issues/{number}/comments", token, {"body": body})["html_url"]


def _call(method: str, url: str, token: str, payload: dict | None = None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "User-Agent": "seslint-review"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise CommentError(f"{method} {url.split('?')[0]} answered {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CommentError(f"{method} {url.split('?')[0]} failed: {exc}") from None


if __name__ == "__main__":
    sys.exit(main())
