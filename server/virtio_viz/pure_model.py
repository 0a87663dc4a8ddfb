"""Whether the model runs compiled by mypyc or from its Python sources.

How this works: setup.py compiles the model's data path (pyproject.toml lists the modules)
into C extension modules that lie beside their sources, and Python's import prefers an
extension to a source file in the same folder. With `VIRTIO_VIZ_PURE_MODEL=1` set before
the model is first imported, `virtio_viz.model` (which imports this module first) gives
each of its folders an import finder that only knows source files, so the same sources run
as plain Python whether or not extensions were built (tests/model/test_compiled.py
compares the two). This lives outside model/, which stays free of environment and I/O.
"""

import os
import sys
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader
from typing import TYPE_CHECKING, Any

__all__ = ["PURE", "mypyc_attr"]

PURE = os.environ.get("VIRTIO_VIZ_PURE_MODEL") == "1"

if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr
else:

    def mypyc_attr(*_args: Any, **_flags: Any) -> Any:
        """mypyc reads this decorator while compiling and drops it; run as Python (where
        mypy_extensions may not be installed), it leaves the class as it is."""
        return lambda cls: cls


if PURE:
    for _folder, _subfolders, _files in os.walk(os.path.join(os.path.dirname(__file__), "model")):
        sys.path_importer_cache[_folder] = FileFinder(_folder, (SourceFileLoader, SOURCE_SUFFIXES))
