"""User-authored scenario files (YAML, docs/scenario-format.md): load one into a Story.

The one package besides the server that may import PyYAML; `scenarios/` stays stdlib
and model only. `load_scenario(text, filename)` and `load_scenario_file(path)` return a
`ScenarioStory` (a Story that also carries the file's options, title and summary) or
raise `ScenarioFileError`, whose text is `file:line:column: what was expected`.
"""

from virtio_viz.scenario_files.errors import ScenarioFileError, ScenarioRunError
from virtio_viz.scenario_files.loader import (
    DEFAULT_MAX_BYTES,
    SCHEMA_VERSION,
    ScenarioStory,
    load_scenario,
    load_scenario_file,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SCHEMA_VERSION",
    "ScenarioFileError",
    "ScenarioRunError",
    "ScenarioStory",
    "load_scenario",
    "load_scenario_file",
]
