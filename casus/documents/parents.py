"""What a document hangs on: a case, a signal, an agenda item or a voordracht — read through the policy, so a parent
the user may not see is 404 before anything of its documents is looked at."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from casus import policy
from casus.documents.models import Document
from casus.users.models import User


class ParentKind(StrEnum):
    CASE = "case"
    SIGNAL = "signal"
    AGENDA_ITEM = "agenda_item"
    VOORDRACHT = "voordracht"


@dataclass(frozen=True)
class Parent:
    """A parent the user may see: its kind, the object, and the case (or signal) its documents belong to."""

    kind: ParentKind
    object: Any
    case_id: int | None
    signal_id: int | None

    @property
    def id(self) -> int:
        return self.object.id

    def columns(self) -> dict[str, int | None]:
        """The document's parent columns (models.Document's CHECK constraints)."""
        return {"case_id": self.case_id, "signal_id": self.signal_id,
                "agenda_item_id": self.id if self.kind == ParentKind.AGENDA_ITEM else None,
                "voordracht_id": self.id if self.kind == ParentKind.VOORDRACHT else None}


def get_parent(user: User, kind: ParentKind, object_id: int) -> Parent:
    """The parent if ``user`` may see it, else 404 (audited, by the kind's own getter)."""
    kind = ParentKind(kind)
    if kind == ParentKind.CASE:
        case = policy.get_case(user, object_id)
        return Parent(kind, case, case.id, None)
    if kind == ParentKind.SIGNAL:
        signal = policy.get_signal(user, object_id)
        return Parent(kind, signal, None, signal.id)
    if kind == ParentKind.AGENDA_ITEM:
        item = policy.get_agenda_item(user, object_id)
        return Parent(kind, item, item.case_id, None)
    voordracht = policy.get_voordracht(user, object_id)
    return Parent(kind, voordracht, voordracht.case_id, None)


def parent_ref(document: Document) -> tuple[ParentKind, int]:
    """The kind and id of the parent a (visible) document hangs on, without loading it."""
    if document.agenda_item_id is not None:
        return ParentKind.AGENDA_ITEM, document.agenda_item_id
    if document.voordracht_id is not None:
        return ParentKind.VOORDRACHT, document.voordracht_id
    if document.signal_id is not None:
        return ParentKind.SIGNAL, document.signal_id
    return ParentKind.CASE, document.case_id
