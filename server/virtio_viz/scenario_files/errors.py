"""The one error a scenario file can cause: `file:line:column: what was expected`."""

from __future__ import annotations

from virtio_viz.model.errors import ModelError


class ScenarioFileError(ValueError):
    """A scenario file cannot be used. Its text is `file:line:column: what was expected`,
    the way compilers point at a mistake, so editors can jump to it."""

    def __init__(self, filename: str, line: int, column: int, expected: str) -> None:
        expected = " ".join(expected.splitlines())  # one line, always
        super().__init__(f"{filename}:{line}:{column}: {expected}")
        self.filename = filename
        self.line = line
        self.column = column
        self.expected = expected


class ScenarioRunError(ScenarioFileError, ModelError):
    """A step of the file could not be performed while the story ran (the world refused
    the action). Being a ModelError, it ends the timeline early with this text as the
    reason (`Timeline.stopped`), keeping every step before it viewable."""
