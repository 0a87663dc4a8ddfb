"""What the installed QEMU says it accepts: its `help` output and its QAPI schema, and a
way to start it paused (-S) and ask it over QMP what it built.

Every answer is cached: a test run asks each binary each question once.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import IO, Any


def _help(binary: str, *args: str) -> str:
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@lru_cache
def device_models(binary: str) -> frozenset[str]:
    return frozenset(re.findall(r'^name "([^"]+)"', _help(binary, "-device", "help"), re.M))


@lru_cache
def properties(binary: str, option: str, model: str) -> dict[str, str]:
    """`-device MODEL,help` / `-object TYPE,help`: property name -> its type."""
    text = _help(binary, option, f"{model},help")
    return dict(re.findall(r"^\s+([\w.-]+)=<([^>]+)>", text, re.M))


@lru_cache
def listed(binary: str, option: str) -> frozenset[str]:
    """The types `-netdev help`, `-chardev help`, `-object help` or `-machine help` list."""
    text = _help(binary, option, "help")
    if option == "-machine":
        return frozenset(re.findall(r"^(\S+)\s", text.split("\n", 1)[1], re.M))
    return frozenset(line.strip() for line in text.splitlines()[1:] if line.strip())


def qmp(command: list[str], questions: list[dict[str, Any]], *,
        cwd: Path | None = None) -> tuple[int, list[dict[str, Any]], str]:  # fmt: skip
    """Run QEMU with `-qmp stdio`, ask `questions` one at a time (each answer read before
    the next question goes out), then quit; (exit code, the answers, stderr)."""
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=cwd) as qemu:  # fmt: skip
        assert qemu.stdin is not None and qemu.stdout is not None and qemu.stderr is not None
        answers: list[dict[str, Any]] = []
        for question in [{"execute": "qmp_capabilities"}, *questions]:
            if qemu.poll() is not None:
                break
            qemu.stdin.write(json.dumps(question) + "\n")
            qemu.stdin.flush()
            answers.append(_answer(qemu.stdout))
        if qemu.poll() is None:
            qemu.stdin.write('{"execute":"quit"}\n')
            qemu.stdin.flush()
        stderr = qemu.stderr.read()
        code = qemu.wait(timeout=60)
    return code, answers[1:], stderr


def _answer(stdout: IO[str]) -> dict[str, Any]:
    for line in stdout:
        reply: dict[str, Any] = json.loads(line)
        if "return" in reply or "error" in reply:
            return reply
    return {"error": "QEMU ended"}


@lru_cache
def qapi_schema(binary: str) -> dict[str, Any]:
    """query-qmp-schema of `binary`, by (masked) type name."""
    command = [binary, "-machine", "none", "-nodefaults", "-display", "none", "-qmp", "stdio"]
    _, answers, _ = qmp(command, [{"execute": "query-qmp-schema"}])
    return {entry["name"]: entry for entry in answers[0]["return"]}


def qapi_members(binary: str, command: str, case: str) -> frozenset[str]:
    """The member names of the `case` branch of `command`'s union argument (netdev_add's
    Netdev by `type`, blockdev-add's BlockdevOptions by `driver`), with the common ones."""
    schema = qapi_schema(binary)
    union = schema[schema[command]["arg-type"]]
    variant = next(v for v in union["variants"] if v["case"] == case)
    members = union["members"] + schema[variant["type"]]["members"]
    return frozenset(m["name"] for m in members)


def start_paused(binary: str, argv: list[str], questions: list[dict[str, Any]], *,
                 cwd: Path) -> tuple[int, list[dict[str, Any]], str]:  # fmt: skip
    """Start QEMU stopped before the first instruction (-S) under `argv`, ask it
    `questions` over QMP and let it go; (exit code, the answers, stderr)."""
    command = [binary, *argv, "-S", "-display", "none", "-nodefaults", "-qmp", "stdio"]
    return qmp(command, questions, cwd=cwd)


def qom_get(path: str, prop: str) -> dict[str, Any]:
    return {"execute": "qom-get", "arguments": {"path": path, "property": prop}}
