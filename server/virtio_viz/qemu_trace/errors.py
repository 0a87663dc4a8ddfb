"""The one exception the importer raises: bad input, told as `file:line:column: what`."""

from __future__ import annotations


class TraceImportError(Exception):
    """The input cannot be imported. `line` and `column` are 1-based, or None for the
    whole file (or line)."""

    def __init__(
        self, what: str, *, path: str | None = None, line: int | None = None,
        column: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__(what)
        self.what = what
        self.path = path
        self.line = line
        self.column = column

    def located(self, path: str) -> TraceImportError:
        """The same error, naming `path` if it named no file yet."""
        return TraceImportError(self.what, path=self.path or path, line=self.line,
                                column=self.column)  # fmt: skip

    def __str__(self) -> str:
        where = self.path or "<trace>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.what}"
