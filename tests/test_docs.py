"""Docs are part of the feature: generated tables must match the code they describe."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_roles_table_in_docs_is_current():
    result = subprocess.run([sys.executable, "docs/gen_roles.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr + "\nrun: python docs/gen_roles.py"


def test_every_frontoffice_variable_in_the_code_is_documented():
    used = set()
    for path in (ROOT / "src" / "frontoffice").rglob("*.py"):
        text = path.read_text()
        used |= set(re.findall(r"FRONTOFFICE_([A-Z0-9_]+)", text))
        used |= set(re.findall(r"env_(?:str|bool|int|list|time_zone)\(\s*\"([A-Z0-9_]+)\"", text))
    documented = set(re.findall(r"FRONTOFFICE_([A-Z0-9_]+)", (ROOT / "docs" / "configuration.md").read_text()))
    missing = sorted(used - documented)
    assert not missing, f"undocumented variables: {missing}"


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    commands = re.findall(r"^make (\w+)", text, flags=re.M)
    assert commands[:2] == ["demo", "test"]
