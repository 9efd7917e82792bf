"""The GitHub Action (action.yml), run locally: its review step, as action.yml writes it, against a temporary
git repository and a stub of GitHub's comment API (a local HTTP server). seslint comes from a wheel built from
this checkout (`wheel_venv`), as the install step installs it from the action's own checkout."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.review.conftest import only_to, policy, send

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
TOKEN = "test-token"
REPOSITORY = "acme/mail"
NUMBER = 7


class CommentAPI:
    """The issue-comment endpoints of GitHub's REST API, in memory; `forbidden` answers 403 to writes."""

    def __init__(self, others: int = 0, forbidden: bool = False):
        self.comments = [{"id": n + 1, "body": f"an unrelated comment {n}", "html_url": f"c/{n + 1}"}
                         for n in range(others)]
        self.forbidden = forbidden
        self.calls: list[tuple[str, str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, code: int, value) -> None:
                data = json.dumps(value).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def _handle(self, method: str) -> None:
                api.calls.append((method, self.path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(401, {"message": "Bad credentials"})
                listing = re.fullmatch(rf"/repos/{REPOSITORY}/issues/{NUMBER}/comments\?per_page=(\d+)&page=(\d+)",
                                       self.path)
                if method == "GET" and listing:
                    size, page = int(listing.group(1)), int(listing.group(2))
                    return self._answer(200, api.comments[(page - 1) * size:page * size])
                if api.forbidden:
                    return self._answer(403, {"message": "Resource not accessible by integration"})
                if method == "POST" and self.path == f"/repos/{REPOSITORY}/issues/{NUMBER}/comments":
                    n = len(api.comments) + 1
                    api.comments.append({"id": n, "body": self._body()["body"], "html_url": f"c/{n}"})
                    return self._answer(201, api.comments[-1])
                edit = re.fullmatch(rf"/repos/{REPOSITORY}/issues/comments/(\d+)", self.path)
                if method == "PATCH" and edit:
                    found = next(c for c in api.comments if c["id"] == int(edit.group(1)))
                    found["body"] = self._body()["body"]
                    return self._answer(200, found)
                return self._answer(404, {"message": "Not Found"})

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PATCH(self):
                self._handle("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def ours(self) -> list[dict]:
        return [c for c in self.comments if c["body"].startswith("<!-- seslint-review -->")]


def _expand(text: str, inputs: dict, github: dict) -> str:
    """The `${{ inputs.X }}` and `${{ github.X.Y }}` expressions action.yml uses."""
    def value(m):
        scope, _, path = m.group(1).partition(".")
        found = inputs if scope == "inputs" else github
        for part in path.split(".") if scope == "github" else [path]:
            found = found.get(part, "") if isinstance(found, dict) else ""
        return str(found)
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", value, text)


def run_action(repo, api: CommentAPI, event: dict, tmp_path: Path, venv: Path, **given) -> tuple[int, str, str]:
    """The review step of action.yml in `repo`, with the action's inputs (defaults, then `given`)."""
    github = {"event": event, "token": TOKEN, "repository": REPOSITORY}
    inputs = {name: _expand(str(spec.get("default", "")), {}, github) for name, spec in ACTION["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    (step,) = [s for s in ACTION["runs"]["steps"] if s.get("name") == "Review SES permissions"]
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    if not (runner / "seslint").exists():
        (runner / "seslint").symlink_to(venv)   # what the install step made
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update({"RUNNER_TEMP": str(runner), "GITHUB_EVENT_PATH": str(event_path), "GITHUB_REPOSITORY": REPOSITORY,
                "GITHUB_API_URL": api.url, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTION_PATH": str(ROOT)})
    env.update({k: _expand(v, inputs, github) for k, v in step["env"].items()})
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo.path, env=env, capture_output=True, text=True,
                          check=False)
    return done.returncode, done.stdout, summary.read_text()


def pull_request(base: str, fork: bool = False) -> dict:
    head = "someone/mail" if fork else REPOSITORY
    return {"pull_request": {"number": NUMBER, "base": {"sha": base, "repo": {"full_name": REPOSITORY}},
                             "head": {"repo": {"full_name": head}}}, "repository": {"full_name": REPOSITORY}}


@pytest.fixture
def pr(repo):
    repo.write("policies/app.json", policy(send("App", condition=only_to("*@example.com"))))
    base = repo.commit("base")
    repo.write("policies/app.json", policy(send("App")))
    repo.commit("widen")
    return base


def test_the_comment_is_posted_then_updated_not_duplicated(repo, pr, tmp_path, wheel_venv):
    with CommentAPI(others=120) as api:   # our comment lands on the second page of the listing
        code, out, summary = run_action(repo, api, pull_request(pr), tmp_path, wheel_venv)
        assert code == 1, out
        (first,) = api.ours()
        assert "| `app.json` | only `*@example.com` | anyone |" in first["body"]
        assert summary.startswith("<!-- seslint-review -->") and "fork" not in summary
        assert re.search(r"^::error file=policies/app.json,line=4,", out, re.M)
        sarif = json.loads((repo.path / "seslint.sarif").read_text())
        assert sarif["version"] == "2.1.0"

        repo.write("policies/app.json", policy(send("App", condition=only_to("*@example.com"))))
        repo.commit("narrow it back")
        code, out, _ = run_action(repo, api, pull_request(pr), tmp_path, wheel_venv)
        assert code == 0, out
        (second,) = api.ours()
        assert second["id"] == first["id"] and "0 policies changed" in second["body"]
        assert [m for m, _ in api.calls].count("POST") == 1 and [m for m, _ in api.calls].count("PATCH") == 1
        assert len(api.comments) == 121


def test_a_fork_gets_the_summary_and_annotations_only(repo, pr, tmp_path, wheel_venv):
    with CommentAPI() as api:
        code, out, summary = run_action(repo, api, pull_request(pr, fork=True), tmp_path, wheel_venv)
    assert code == 1 and api.calls == [] and api.comments == []
    assert "comes from a fork" in summary and "<!-- seslint-review -->" in summary
    assert "::error file=policies/app.json" in out and "::notice title=seslint review::This pull request comes" in out


def test_a_token_that_may_not_comment_is_said_so(repo, pr, tmp_path, wheel_venv):
    with CommentAPI(forbidden=True) as api:
        code, out, summary = run_action(repo, api, pull_request(pr), tmp_path, wheel_venv, comment="true",
                                        fail_on="never", sarif="")
    assert code == 1   # a gained send fails whatever --fail-on says of findings
    assert "answered 403" in summary and "pull-requests: write" in summary
    assert not (repo.path / "seslint.sarif").exists()


def test_comment_false_posts_nothing(repo, pr, tmp_path, wheel_venv):
    with CommentAPI() as api:
        code, _, summary = run_action(repo, api, pull_request(pr), tmp_path, wheel_venv, comment="false")
    assert code == 1 and api.calls == [] and summary.startswith("<!-- seslint-review -->")
