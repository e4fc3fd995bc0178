"""The one family of errors Parley raises for things a user can cause; the CLI prints them as `Error: …`."""

from __future__ import annotations


class ParleyError(Exception):
    """Base of every error a user can cause. The message says what was wrong, where, and what to do."""


class StoreInUseError(ParleyError):
    """Another process owns the store folder."""


class StoreError(ParleyError):
    """The store cannot be opened, read or written."""


class EndpointError(StoreError):
    """A remote SPARQL endpoint is down, slow, or answered something that is not SPARQL."""


class WriteError(StoreError):
    """A write was refused; nothing of it was stored."""


class InputError(ParleyError):
    """Bad input: a record file, a transcript, an RDF import. Carries where it is."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, field: str | None = None) -> None:
        self.file, self.line, self.column, self.field = file, line, column, field
        where = ""
        if file is not None:
            where = file
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        if field:
            where += f"{field}: "
        super().__init__(where + message)
        self.bare_message = message


class QueryError(ParleyError):
    """A SPARQL query was refused, failed to parse, or was stopped."""
