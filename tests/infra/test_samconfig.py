"""samconfig.toml: dev and prod set every template parameter that has no default, and nothing else."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest

from tests.support.tables import ROOT, load_template


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_environment_sets_the_required_parameters(env: str) -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy = config[env]["deploy"]["parameters"]
    # `Key="value" Key2="value 2"`, as `sam deploy --guided` writes it.
    overrides = dict(item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"]))
    parameters = load_template()["Parameters"]
    assert set(overrides) <= set(parameters)
    required = {name for name, p in parameters.items() if "Default" not in p}
    assert required <= set(overrides)
    assert deploy["stack_name"] == f"account-journeys-{env}"
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    for name, value in overrides.items():
        if "AllowedValues" in parameters[name]:
            assert value in parameters[name]["AllowedValues"], name
        if "AllowedPattern" in parameters[name]:
            assert re.fullmatch(parameters[name]["AllowedPattern"], value), name
    assert overrides["EntrySchedule"].startswith(("rate(", "cron("))
