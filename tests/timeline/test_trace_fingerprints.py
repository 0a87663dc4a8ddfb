"""Every story still tells exactly what it told when the fingerprints were generated:
each exported trace and each step's event, byte for byte (tests/support/trace_fingerprints.py
says how they are taken and how to regenerate them after a change meant to alter a story)."""

from __future__ import annotations

import json

from tests.support.trace_fingerprints import STORED, fingerprints


def test_every_story_tells_what_the_stored_fingerprints_say() -> None:
    stored = json.loads(STORED.read_text())
    now = fingerprints()
    assert set(now) == set(stored)
    changed = sorted(name for name in now if now[name] != stored[name])
    assert changed == [], (
        "these traces changed; if that is intended, regenerate with "
        "`.venv/bin/python -m tests.support.trace_fingerprints --write`"
    )
