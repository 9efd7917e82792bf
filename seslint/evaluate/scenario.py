"""Scenario files (shared/DESIGN.md §3): one request and the policies that may apply to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn

from orjson import dumps as _dumps

from seslint.core.arn import ACCOUNT
from seslint.errors import InputError
from seslint.evaluate.engine import Policies
from seslint.evaluate.matching import Caller, CompiledPolicy, Request
from seslint.jsondoc import join
from seslint.policy import json_kind as _kind, parse_policy

Fail = Callable[..., NoReturn]   # raises InputError naming the scenario's source and a JSON pointer
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9]+")


@dataclass(init=False)
class Scenario:
    id: Any   # Any, not object: see jsondoc.Document.value
    source: str
    caller: Caller
    policies: Policies
    request: Request

    # init=False and this __init__: the compiled build compiles it (see seslint.policy)
    def __init__(self, id: Any, source: str, caller: Caller, policies: Policies, request: Request):
        self.id, self.source, self.caller, self.policies, self.request = id, source, caller, policies, request


class PolicyCache:
    """Compiled policies and principals by content, so a batch that repeats them compiles each once.

    Scenario fields are keyed by their content (`_key`); only what compiled without error is kept.
    Keys cost a compact encoding of every policy: where they rarely hit (each line its own
    policies, as an audit of many principals sees them), a round (`next_round`: a batch chunk)
    that mostly missed turns the cache off for the next SKIP rounds, then it tries again. On or
    off, the answers are the same."""

    SKIP = 7

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self.entries: dict = {}
        self.fields: dict = {}
        self.enabled = True
        self.lookups = self.hits = self.skip = 0

    def next_round(self) -> None:
        """Decide whether the next round of lookups uses the cache, from how the last one did."""
        if self.enabled and self.lookups and self.hits * 8 < self.lookups:
            self.skip = self.SKIP
        self.enabled = self.skip == 0
        self.skip = max(self.skip - 1, 0)
        self.lookups = self.hits = 0

    def get(self, value, source: str, pointer: str, kind: str) -> CompiledPolicy:
        if not self.enabled:
            return CompiledPolicy(parse_policy(value, source, pointer), kind)
        key = (_key(value), source, pointer, kind)
        found = self.find(self.entries, key)
        if found is None:
            found = self.keep(self.entries, key, CompiledPolicy(parse_policy(value, source, pointer), kind))
        return found

    def find(self, table: dict, key, counted: bool = True):
        """The entry of `table` (entries or fields) at `key`, or None; `counted` lookups decide next_round."""
        found = table.get(key)
        if counted:
            self.lookups += 1
            self.hits += found is not None
        return found

    def keep(self, table: dict, key, value):
        if len(table) >= self.limit:
            table.clear()
        table[key] = value
        return value


def _key(value):
    """A cheap, exact cache key for a parsed JSON value (orjson's compact text, else repr)."""
    try:
        return _dumps(value)
    except TypeError:   # not JSON (a Python caller's value): repr still tells values apart
        return repr(value)


def load_scenario(value, source: str = "<scenario>", pointer: str = "", cache: PolicyCache | None = None,
                  encoded: dict[str, bytes] | None = None) -> Scenario:
    """Check and compile one scenario; raise InputError naming `source` and the JSON pointer.

    With a shared `cache`, fields seen before (by content) are not compiled again; `encoded` may
    give fields' compact JSON (their cache keys), when the caller has them already."""
    cache = cache or PolicyCache()

    def fail(message, at, help=None) -> NoReturn:
        # Our words, and the location: ours, else where the scenario schema first objects.
        raise InputError(message, source=source, pointer=at or schema_problem(value, pointer) or None, help=help)

    def policy(v, at, kind):
        return cache.get(v, source, at, kind)

    if not isinstance(value, dict):
        fail(f"a scenario must be a JSON object, not {_kind(value)}", pointer)
    sid = value.get("id")
    if isinstance(sid, (dict, list)):
        fail("id must be a string or a number", join(pointer, "id"))
    built: dict[str, Any] = {}
    for name, build in _FIELDS:
        item = value.get(name)
        counted = item is not None and name != "principal"   # principals are few and cheap to key: always cached
        if counted and not cache.enabled:
            built[name] = build(item, f"{pointer}/{name}", policy, fail)
            continue
        key: object
        if item is None:
            key = name   # an absent field builds the same everywhere
        else:
            key = (name, source, pointer, encoded and encoded.get(name) or _key(item))
        found = cache.find(cache.fields, key, counted)
        if found is None:
            found = cache.keep(cache.fields, key, build(item, f"{pointer}/{name}", policy, fail))
        built[name] = found
    caller, defaults = built["principal"]
    # Copies of the cached lists: callers may extend a scenario's policies.
    policies = Policies(identity=list(built["identity_policies"]), session=list(built["session_policies"]),
                        resources=[built["resource_policy"]] if built["resource_policy"] else [],
                        boundary=built["permission_boundary"], scps=list(built["scps"]))
    if policies.resources and caller.arn is None and caller.service is None:
        fail("a scenario with a resource_policy needs a principal", join(pointer, "principal"),
             help='add "principal": {"arn": "arn:aws:iam::111122223333:role/NAME"}')
    request = _request(value.get("request"), f"{pointer}/request", fail)
    if defaults:
        request.context = {**defaults, **request.context}
    return Scenario(sid, source, caller, policies, request)


def schema_problem(value, pointer: str = "") -> str | None:
    """The JSON pointer where `value` first breaks rules/schemas/scenario.schema.json, or None.

    jsonschema is imported here, on the failure path only: a valid batch never pays for it."""
    from seslint.data import load

    validator = _validator(load)
    error = next(iter(sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))), None)
    if error is None:
        return None
    return join(pointer, *error.absolute_path) if error.absolute_path else pointer or None


@lru_cache(maxsize=1)
def _validator(load):
    import jsonschema

    return jsonschema.Draft202012Validator(load("schemas/scenario.schema.json"))


def _principal(value, at, policy, fail: Fail) -> tuple[Caller, dict]:
    """The caller and the context keys IAM derives from it."""
    caller = _caller(value, at, fail)
    return caller, {k: v for k, v in caller.context_defaults().items() if v is not None}


def _policy_list(kind):
    def build(value, at, policy, fail) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            fail(f"{at.rsplit('/', 1)[1]} must be a list of policies, not {_kind(value)}", at)
        return [policy(p, f"{at}/{i}", kind) for i, p in enumerate(value)]
    return build


def _single(kind):
    def build(value, at, policy, fail):
        return None if value is None else policy(value, at, kind)
    return build


def _scps(value, at, policy, fail: Fail) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        fail(f"scps must be a list of levels, not {_kind(value)}", at)
    out = []
    for i, level in enumerate(value):
        level_at = f"{at}/{i}"
        if not isinstance(level, dict):
            fail(f"an scps level must be an object with 'level' and 'policies', not {_kind(level)}", level_at)
        name = level.get("level", str(i))
        if not isinstance(name, str):
            fail("level must be a string", join(level_at, "level"))
        items = level.get("policies")
        if not isinstance(items, list):
            fail("policies of an scps level must be a list", join(level_at, "policies"),
                 help="an empty list means the level allows nothing")
        out.append((name, [policy(p, f"{level_at}/policies/{k}", "scp") for k, p in enumerate(items)]))
    return out


# Scenario fields compiled once per distinct content, in the order their errors are reported:
# name -> build(value or None, JSON pointer, policy(value, pointer, kind), fail).
_FIELDS = (("principal", _principal),
           ("identity_policies", _policy_list("identity")),
           ("session_policies", _policy_list("session")),
           ("resource_policy", _single("resource")),
           ("permission_boundary", _single("boundary")),
           ("scps", _scps))


def _caller(value, at, fail: Fail) -> Caller:
    if value is None:
        return Caller()
    if not isinstance(value, dict):
        fail(f"principal must be an object, not {_kind(value)}", at)
    fields: dict[str, Any] = {}
    for name in ("arn", "account", "service", "role_arn", "federated", "canonical_user"):
        item = value.get(name)
        if item is not None and not isinstance(item, str):
            fail(f"{name} must be a string, not {_kind(item)}", join(at, name))
        fields[name] = item
    if fields["account"] is not None and not ACCOUNT.fullmatch(fields["account"]):
        fail(f"account '{fields['account']}' is not a 12-digit account id", join(at, "account"))
    tags = value.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        fail("tags must be an object of strings", join(at, "tags"))
    extra = {k: fields[k] for k in ("service", "federated", "canonical_user") if fields[k]}
    if fields["service"]:
        return Caller(kind="service", tags=tags, **extra)
    if fields["arn"] is None:
        return Caller(account=fields["account"], tags=tags, **extra)
    try:
        return Caller.from_arn(fields["arn"], fields["account"], tags=tags, role_arn=fields["role_arn"], **extra)
    except ValueError as exc:
        fail(str(exc), join(at, "account"))


def _request(value, at, fail: Fail) -> Request:
    if value is None:
        fail("scenario has no request", at.rsplit("/", 1)[0], help='add "request": {"action": ..., "resource": ...}')
    if not isinstance(value, dict):
        fail(f"request must be an object, not {_kind(value)}", at)
    action = value.get("action")
    if not isinstance(action, str) or not _ACTION.fullmatch(action):
        fail("request.action must be an action name like 'ses:SendEmail'" if action is not None
             else "request has no action", join(at, "action") if action is not None else at)
    resource = value.get("resource", "*")
    if not isinstance(resource, str):
        fail(f"request.resource must be a string, not {_kind(resource)}", join(at, "resource"))
    if resource != "*" and (not resource.startswith("arn:") or resource.count(":") < 5):
        fail(f"request.resource '{resource}' is neither '*' nor an ARN", join(at, "resource"))
    account = value.get("resource_account")
    if account is not None and not (isinstance(account, str) and ACCOUNT.fullmatch(account)):
        fail("request.resource_account must be a 12-digit account id", join(at, "resource_account"),
             help="the account that owns the resource, for ARNs without one (S3) or with 'aws'")
    raw = value.get("context") or {}
    if not isinstance(raw, dict):
        fail(f"request.context must be an object, not {_kind(raw)}", join(at, "context"))
    context: dict[str, object] = {}
    names: dict[str, str] = {}
    for key, item in raw.items():
        if isinstance(item, list):
            for i, x in enumerate(item):
                if x is None or isinstance(x, (dict, list)):
                    fail(f"context values must be strings, numbers or booleans, not {_kind(x)}",
                         join(at, "context", key, i))
        elif item is None or isinstance(item, dict):
            fail(f"context value must be a string, number, boolean or list, not {_kind(item)}",
                 join(at, "context", key), help="leave a key out to make it absent")
        lowered = key.lower()
        if lowered in context:
            fail(f"context key '{key}' repeats '{names[lowered]}' (key names are case-insensitive)",
                 join(at, "context", key))
        context[lowered] = item
        names[lowered] = key
    return Request(action, resource, context, names, account)


def scenario_from(action: str, resource: str, contexts, *, principal: str | None = None,
                  resource_account: str | None = None, identity=(), session=(), scps=(), resource_policy=None,
                  boundary=None) -> Scenario:
    """A scenario from simulate's flags: `contexts` are KEY=VALUE texts (a key repeated for a list, KEY=[] for
    an empty set); the policies are documents with their file names (`seslint.jsondoc` documents or
    `PolicyDoc`s), kept for error locations and explanations."""
    from seslint.errors import UsageError

    cache = PolicyCache()

    def read(doc, kind):
        return cache.get(doc.value, doc.source, "", kind)

    context: dict = {}
    for item in contexts:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--context: '{item}' is not KEY=VALUE")
        if value == "[]":
            context.setdefault(key, [])
            continue
        if key in context:
            prev = context[key]
            context[key] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            context[key] = value
    flags: dict = {"request": {"action": action, "resource": resource, "context": context}}
    if resource_account:
        flags["request"]["resource_account"] = resource_account
    if principal:
        flags["principal"] = {"arn": principal}
    scenario = load_scenario(flags, "<command line>")
    p = scenario.policies
    p.identity = [read(d, "identity") for d in identity]
    p.session = [read(d, "session") for d in session]
    p.scps = [(level, [read(d, "scp") for d in docs]) for level, docs in scps]
    p.resources = [read(resource_policy, "resource")] if resource_policy is not None else []
    p.boundary = read(boundary, "boundary") if boundary is not None else None
    if p.resources and not principal:
        raise UsageError("--resource-policy needs --principal ARN")
    return scenario
