"""The README keeps its promises: the two-command quick start, every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

from sparql_endpoint.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_shows_the_two_commands_first() -> None:
    quick = README.split("## Démarrage rapide", 1)[1].split("\n## ", 1)[0]
    assert "make serve" in quick and "make test" in quick
    # nothing but the two commands in the quick start's code block
    block = re.search(r"```sh\n(.*?)```", quick, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make serve", "make test"]


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(IAT_[A-Z_]+)`", README))
    declared = {f"IAT_{name.upper()}" for name in Settings.model_fields}
    assert declared - documented == set(), "réglages absents du README"
    assert documented - declared == set(), "réglages documentés qui n'existent plus"


def test_makefile_has_the_documented_targets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("serve", "test", "lint", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
