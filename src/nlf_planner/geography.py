"""Geography constants: the one place England's code and name are defined.

Regions and ICBs are reference data (``data/reference/``); England is not a row there but the
sum of every ICB, so its identity lives here for every layer to share.
"""

from __future__ import annotations

#: ONS code for England, used wherever a value or target is England's.
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"
