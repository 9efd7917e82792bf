"""Every API operation of the four SES botocore models maps to at least one IAM action."""

import pytest

from seslint.maintenance.regenerate import SERVICES
from seslint.matrix import load_matrix


def test_every_operation_in_the_snapshot_maps_to_an_action():
    m = load_matrix()
    for spec in m.operations:
        variants = m.operation(spec)
        assert variants and all(m.action(a["action"]) for v in variants for a in v["authorizes"]), spec


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_of_the_installed_botocore_maps_to_an_action(service):
    """Drift guard: a newer botocore with an operation that no IAM action covers needs a regeneration."""
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model(service)
    m = load_matrix()
    missing = [op for op in model.operation_names if m.action(f"ses:{op}") is None]
    assert missing == [], "run python -m seslint.maintenance.regenerate"
