"""The store: the only package that writes SQL. One module per aggregate."""

from nlf_planner.store.db import (
    Database,
    DatabaseUnavailable,
    ReadOnlyError,
    StoreError,
    open_database,
)

__all__ = ["Database", "DatabaseUnavailable", "ReadOnlyError", "StoreError", "open_database"]
