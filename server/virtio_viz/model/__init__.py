"""The sans-IO virtio model: pure stdlib, deterministic; its data path compiled by mypyc
where a C compiler was there (`virtio_viz/pure_model.py` says how, and how to turn it off).
A compiled class that code outside the compiled modules subclasses says so with
`@mypyc_attr(allow_interpreted_subclasses=True)`, imported from here.
"""

from virtio_viz.pure_model import PURE as PURE
from virtio_viz.pure_model import mypyc_attr as mypyc_attr
