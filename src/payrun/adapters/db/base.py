"""The declarative base every table maps onto, and the column type of money (integer cents)."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


Cents = BigInteger
