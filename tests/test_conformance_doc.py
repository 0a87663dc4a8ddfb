"""docs/conformance.md covers every MUST of the checklist and names real tests."""

from __future__ import annotations

import re
from pathlib import Path

from virtio_viz.model.conformance import RULES

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| N(\d+) \| (\w+) \| (§[\d.]+) \|[^|]*\| ([^|]+) \|[^|]*\| ([^|]*) \|")
HOW = {"Violation event", "by construction", "refused (ConfigError)", "does not apply"}


def rows() -> dict[int, tuple[str, str, str, list[str]]]:
    found: dict[int, tuple[str, str, str, list[str]]] = {}
    for line in (ROOT / "docs" / "conformance.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            number = int(match[1])
            assert number not in found, f"N{number} listed twice"
            tests = re.findall(r"`([^`]+\.py)`", match[5])
            found[number] = (match[2], match[3], match[4].strip(), tests)
    return found


def test_every_rule_has_exactly_one_row_matching_the_checklist() -> None:
    table = rows()
    assert sorted(table) == sorted(RULES)
    for number, (party, section, how, _) in table.items():
        assert (party, section) == (RULES[number].party, RULES[number].section), number
        assert how in HOW, (number, how)


def test_named_tests_exist_and_mention_their_rule() -> None:
    files = {path.name: path for path in (ROOT / "tests").rglob("test_*.py")}
    for number, (_, _, how, tests) in rows().items():
        if how in {"Violation event", "by construction"}:
            assert tests, f"N{number} is checked but names no test"
        for name in tests:
            assert name in files, (number, name)
            assert re.search(rf"\bN{number}\b", files[name].read_text()), (number, name)


LINUX_ROW = re.compile(r"^\| ([WC])(\d+) \|")


def test_the_linux_tables_name_real_tests() -> None:
    """Each row of the virtio_ring.c tables names tests as `dir/file.py::function`; every
    one must exist, and a row without a test must say why it is not modelled."""
    text = (ROOT / "docs" / "conformance.md").read_text()
    seen: set[str] = set()
    for line in text.splitlines():
        match = LINUX_ROW.match(line)
        if not match:
            continue
        seen.add(match[1] + match[2])
        named = re.findall(r"`([\w/]+\.py)::(\w+)`", line)
        assert named or "not modelled" in line, line
        for path, function in named:
            source = (ROOT / "tests" / path).read_text()
            assert re.search(rf"^def {function}\(", source, re.M), (path, function)
    assert {f"W{n}" for n in range(1, 26)} | {f"C{n}" for n in range(1, 17)} == seen
