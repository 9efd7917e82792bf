"""The sending actions: what IAM checks when SES sends a message that the caller composes.

Derived from the matrix, not listed by hand: every action that an API send operation is
authorized as (the operation-mapping quirks in rules/quirks.json), for the operations that make
at least one request carrying `ses:Recipients`. So v2 SendBulkEmail brings in `ses:SendBulkEmail`,
which carries no address keys itself. `ses:SendCustomVerificationEmail` carries the address keys
but sends only the account's verification template to the address being verified
(https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendCustomVerificationEmail.html),
so it is not a way to send mail of one's own.
"""

from __future__ import annotations

from functools import lru_cache

VERIFICATION_ONLY = "ses:SendCustomVerificationEmail"


@lru_cache(maxsize=1)
def send_actions() -> tuple[str, ...]:
    """Full names (`ses:SendEmail`, ...) of the sending actions, sorted."""
    from seslint.matrix import load_matrix

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

