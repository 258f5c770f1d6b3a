"""The import contracts in pyproject.toml ([tool.importlinter]): config on top, then the domain
apps, then the OData api, then common/tenancy/activity; domain apps do not import each other
except the listed exceptions (balances builds on plans). Runs import-linter as the command line
does, and shows its report when a contract is broken."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    command = Path(sys.executable).with_name("lint-imports")
    assert command.exists(), "import-linter is missing: run `make install-dev` (it is in the dev extras)"
    result = subprocess.run(  # noqa: S603 - our own virtualenv's script, fixed arguments
        [str(command), "--no-cache", "pyproject.toml"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
