"""Scenario files (shared/DESIGN.md §3): one request and the policies that may apply to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seslint.errors import InputError
from seslint.evaluate.engine import Policies
from seslint.evaluate.matching import Caller, CompiledPolicy, Request
from seslint.jsondoc import join
from seslint.policy import json_kind as _kind, parse_policy

_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9]+")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass
class Scenario:
    id: object
    source: str
    caller: Caller
    policies: Policies
    request: Request


class PolicyCache:
    """Parsed and compiled policies by content, so a batch that repeats policies compiles them once."""

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self.entries: dict = {}
        self.callers: dict = {}

    def caller(self, value, at, fail) -> tuple[Caller, dict]:
        """The principal and the context keys IAM derives from it, parsed once per distinct principal."""
        key = repr(value)
        found = self.callers.get(key)
        if found is None:
            caller = _caller(value, at, fail)
            found = (caller, {k: v for k, v in caller.context_defaults().items() if v is not None})
            if len(self.callers) >= self.limit:
                self.callers.clear()
            self.callers[key] = found
        return found

    def get(self, value, source: str, pointer: str, kind: str) -> CompiledPolicy:
        key = (repr(value), source, pointer, kind)
        found = self.entries.get(key)
        if found is None:
            found = CompiledPolicy(parse_policy(value, source, pointer), kind)
            if len(self.entries) >= self.limit:
                self.entries.clear()
            self.entries[key] = found
        return found


def load_scenario(value, source: str = "<scenario>", pointer: str = "", cache: PolicyCache | None = None) -> Scenario:
    """Check and compile one scenario; raise InputError naming `source` and the JSON pointer."""
    cache = cache or PolicyCache()

    def fail(message, at, help=None):
        raise InputError(message, source=source, pointer=at or None, help=help)

    if not isinstance(value, dict):
        fail(f"a scenario must be a JSON object, not {_kind(value)}", pointer)
    sid = value.get("id")
    if isinstance(sid, (dict, list)):
        fail("id must be a string or a number", join(pointer, "id"))
    caller, defaults = cache.caller(value.get("principal"), f"{pointer}/principal", fail)

    def policy(v, at, kind):
        return cache.get(v, source, at, kind)

    def policy_list(name, kind):
        items = value.get(name)
        if items is None:
            return []
        if not isinstance(items, list):
            fail(f"{name} must be a list of policies, not {_kind(items)}", join(pointer, name))
        return [policy(p, f"{pointer}/{name}/{i}", kind) for i, p in enumerate(items)]

    policies = Policies(identity=policy_list("identity_policies", "identity"),
                        session=policy_list("session_policies", "session"))
    if value.get("resource_policy") is not None:
        policies.resources.append(policy(value["resource_policy"], f"{pointer}/resource_policy", "resource"))
    if value.get("permission_boundary") is not None:
        policies.boundary = policy(value["permission_boundary"], f"{pointer}/permission_boundary", "boundary")
    scps = value.get("scps")
    if scps is not None:
        if not isinstance(scps, list):
            fail(f"scps must be a list of levels, not {_kind(scps)}", join(pointer, "scps"))
        for i, level in enumerate(scps):
            at = f"{pointer}/scps/{i}"
            if not isinstance(level, dict):
                fail(f"an scps level must be an object with 'level' and 'policies', not {_kind(level)}", at)
            name = level.get("level", str(i))
            if not isinstance(name, str):
                fail("level must be a string", join(at, "level"))
            items = level.get("policies")
            if not isinstance(items, list):
                fail("policies of an scps level must be a list", join(at, "policies"),
                     help="an empty list means the level allows nothing")
            policies.scps.append((name, [policy(p, f"{at}/policies/{k}", "scp") for k, p in enumerate(items)]))
    if policies.resources and caller.arn is None and caller.service is None:
        fail("a scenario with a resource_policy needs a principal", join(pointer, "principal"),
             help='add "principal": {"arn": "arn:aws:iam::111122223333:role/NAME"}')
    request = _request(value.get("request"), f"{pointer}/request", fail)
    if defaults:
        request.context = {**defaults, **request.context}
    return Scenario(sid, source, caller, policies, request)


def _caller(value, at, fail) -> Caller:
    if value is None:
        return Caller()
    if not isinstance(value, dict):
        fail(f"principal must be an object, not {_kind(value)}", at)
    fields = {}
    for name in ("arn", "account", "service", "role_arn", "federated", "canonical_user"):
        item = value.get(name)
        if item is not None and not isinstance(item, str):
            fail(f"{name} must be a string, not {_kind(item)}", join(at, name))
        fields[name] = item
    if fields["account"] is not None and not _ACCOUNT.fullmatch(fields["account"]):
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


def _request(value, at, fail) -> Request:
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
    raw = value.get("context") or {}
    if not isinstance(raw, dict):
        fail(f"request.context must be an object, not {_kind(raw)}", join(at, "context"))
    context, names = {}, {}
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
    return Request(action, resource, context, names)
