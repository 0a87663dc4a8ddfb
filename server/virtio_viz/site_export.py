"""A folder any static host can serve: the `<virtio-viz>` element, and a trace per scenario.

`virtio-viz export --site DIR SCENARIO...` writes it. A blog on GitHub Pages, Jekyll or
Hugo copies the folder (to `/viz/`, say), loads the element once per page and places
elements wherever a diagram goes; each replays its own trace with no server and no
network beyond the site itself. The element is one JavaScript module (no CDN, no other
file); module scripts load once per page however many times a page includes them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from virtio_viz.html_export import element_script

ELEMENT = "virtio-viz.js"
EXAMPLE_PREFIX = "/viz/"


def write_site(folder: Path, traces: Mapping[str, dict[str, Any]],
               static_dir: Path | None = None) -> list[Path]:  # fmt: skip
    """Write the element, `<name>.json` for each trace and a README; the files written."""
    _, script = element_script(static_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / ELEMENT]
    shutil.copyfile(script, written[0])
    for name, trace in traces.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(trace, separators=(",", ":")) + "\n", encoding="utf-8")
        written.append(path)
    readme = folder / "README.md"
    readme.write_text(readme_text(traces), encoding="utf-8")
    return [*written, readme]


def readme_text(traces: Mapping[str, dict[str, Any]]) -> str:
    first = next(iter(traces))
    rows = "\n".join(
        f"| `{name}.json` | {trace['scenario']['title']} | {trace['step_count']} |"
        for name, trace in traces.items()
    )
    elements = "\n".join(
        f'<virtio-viz src="{EXAMPLE_PREFIX}{name}.json"></virtio-viz>' for name in traces
    )
    return f"""# virtio-viz for a static site

Made by `virtio-viz export --site`. Copy this folder into your site (below it is served
at `{EXAMPLE_PREFIX}`; change the paths if you put it elsewhere). Nothing here needs a
server of ours or any network: each element replays its trace from your site.

Load the element once per page (loading it again is harmless: a module runs once):

```html
<script type="module" src="{EXAMPLE_PREFIX}{ELEMENT}"></script>
```

Then place an element wherever a diagram goes:

```html
{elements}
```

Attributes: `step="40"` opens at a step, `compact` for a narrow column, `theme="dark"`
or `"light"` (by default it follows the reader's preference). `docs/embedding.md` of
virtio-viz has Jekyll and Hugo snippets.

| file | scenario | steps |
| --- | --- | --- |
| `{ELEMENT}` | the `<virtio-viz>` element | |
{rows}

Open `{first}.json` with the element from a web server, not from disk: browsers do not
let a page on `file://` fetch other files.
"""
