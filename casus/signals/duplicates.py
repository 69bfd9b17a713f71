"""Duplicate groups in the triage queue: pending signals that may be about the same betrokkene.

Signals share subject rows through ``find_or_create``, but not always: a person reported once with a BSN and
once with only a name and date of birth, an address reported as an address and as a person's own address, a
person who is ``lid_van`` a household another signal names. So every pending signal of the team gets *match
keys* (one SQL expression per kind of match) and two signals sharing a key are put in one group:

* ``s:<subject id>`` — the same subject row (and, for a member, the household or group it belongs to);
* ``bsn:<bsn>``, ``nd:<name key>|<date of birth>``, ``kvk:<kvk>``;
* ``a:<postcode>|<huisnummer>|<toevoeging>`` — an address subject, a person's own address fields, and the
  address a person ``woont_op``.

The pairs come from one query (the keys of the team's pending signals, self-joined on the key); the group members
on another page of the queue from a second: the badge counts them and the bundling
form offers them, but each signal is listed on its own page only. Never a query per signal. Only the team's own pending
signals take part (the triage queue's scope, through :mod:`casus.policy`): a group never spans teams, and a
group shows nothing the queue does not already show — references, dates, reporters and what matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from casus.clock import today
from casus.extensions import db
from casus.labels import N_, LabelledEnum, label
from casus.policy import sees_triage_queue, signal_scope
from casus.signals.models import Signal, SignalStatus, SignalSubject
from casus.subjects.models import COLLECTIVE_KINDS, RelationKind, Subject, SubjectKind, SubjectRelation
from casus.users.models import User

# Not yet weighed: no case, and still waiting (a bundled signal is ``in_triage`` too, but has a case).
PENDING = (SignalStatus.ONTVANGEN, SignalStatus.IN_TRIAGE)


class MatchKind(LabelledEnum):
    """What two signals of a group have in common, most telling first (the order of the badge's list)."""

    BSN = "bsn", N_("zelfde BSN")
    NAAM = "naam", N_("zelfde naam en geboortedatum")
    ADRES = "adres", N_("zelfde adres")
    HUISHOUDEN = "huishouden", N_("lid van hetzelfde huishouden")
    GROEP = "groep", N_("lid van dezelfde groep")
    KVK = "kvk", N_("zelfde KvK-nummer")
    BETROKKENE = "betrokkene", N_("zelfde betrokkene")


ORDER = list(MatchKind)


@dataclass
class DuplicateGroup:
    """Pending signals that may be about the same betrokkene, oldest first, and what matched between them."""

    signals: list[Signal]
    matches: set[MatchKind] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.signals)

    @property
    def ids(self) -> list[int]:
        return [signal.id for signal in self.signals]

    @property
    def match_kinds(self) -> list[MatchKind]:
        """What matched, in ORDER; "zelfde betrokkene" only when nothing more telling did."""
        kinds = [kind for kind in ORDER if kind in self.matches]
        return [kind for kind in kinds if kind != MatchKind.BETROKKENE] or kinds

    def labels(self) -> list[str]:
        """What matched, in the reader's language: "zelfde BSN", "lid van hetzelfde huishouden"."""
        return [label(kind) for kind in self.match_kinds]


def pending_signals(user: User) -> sa.ColumnElement[bool]:
    """The signals ``user``'s team still has to weigh: the triage queue's scope."""
    return sa.and_(signal_scope(user), Signal.team_id == user.team_id, Signal.case_id.is_(None),
                   Signal.status.in_(PENDING))


def _text(column) -> sa.ColumnElement[str]:
    return sa.cast(column, sa.String)


def _address_key(subject) -> sa.ColumnElement[str]:
    return (sa.literal("a:") + subject.postcode + "|" + _text(subject.huisnummer) + "|"
            + sa.func.coalesce(subject.toevoeging, ""))


def _keys(user: User) -> sa.CTE:
    """(signal_id, key, via) for every pending signal of the team: one row per way it could match."""
    subject, related = Subject, aliased(Subject)
    base = (sa.select(SignalSubject.signal_id).join(Signal, Signal.id == SignalSubject.signal_id)
            .join(Subject, Subject.id == SignalSubject.subject_id).where(pending_signals(user)))
    current = sa.or_(SubjectRelation.end_on.is_(None), SubjectRelation.end_on >= today())

    def keyed(key, via: str | sa.ColumnElement, *where) -> sa.Select:
        via = sa.literal(via) if isinstance(via, str) else via
        return base.add_columns(key.label("key"), via.label("via")).where(*where)

    def related_by(kind: RelationKind, key, via, *where) -> sa.Select:
        return (base.join(SubjectRelation, sa.and_(SubjectRelation.subject_id == Subject.id,
                                                   SubjectRelation.kind == kind, current))
                .join(related, related.id == SubjectRelation.related_subject_id)
                .add_columns(key.label("key"), via.label("via")).where(*where))

    person = subject.kind == SubjectKind.PERSOON
    return sa.union_all(
        keyed(sa.literal("s:") + _text(subject.id), MatchKind.BETROKKENE.value),
        keyed(sa.literal("bsn:") + subject.bsn, MatchKind.BSN.value, subject.bsn.is_not(None)),
        keyed(sa.literal("nd:") + subject.name_key + "|" + _text(subject.date_of_birth), MatchKind.NAAM.value,
              person, subject.name_key.is_not(None), subject.date_of_birth.is_not(None)),
        keyed(sa.literal("kvk:") + subject.kvk_nummer, MatchKind.KVK.value, subject.kvk_nummer.is_not(None)),
        keyed(_address_key(subject), MatchKind.ADRES.value, subject.kind.in_([SubjectKind.ADRES, SubjectKind.PERSOON]),
              subject.postcode.is_not(None), subject.huisnummer.is_not(None)),
        # A member carries its household's or group's subject key: it meets the signal that names the household,
        # and every other member's. The via names the collective's kind (huishouden or groep).
        related_by(RelationKind.LID_VAN, sa.literal("s:") + _text(related.id), _text(related.kind), person,
                   related.kind.in_(COLLECTIVE_KINDS)),
        related_by(RelationKind.WOONT_OP, _address_key(related), sa.literal(MatchKind.ADRES.value), person,
                   related.kind == SubjectKind.ADRES, related.postcode.is_not(None),
                   related.huisnummer.is_not(None)),
    ).cte("signal_keys")


def _match(via_a: str, via_b: str) -> MatchKind:
    """What a shared key means: membership wins over the plain subject key it shares with the collective."""
    for via in (via_a, via_b):
        if via in (MatchKind.HUISHOUDEN, MatchKind.GROEP):
            return MatchKind(via)
    return MatchKind(via_a)


def _pairs(user: User) -> list[tuple[int, int, MatchKind]]:
    """(signal, other signal, what matched) for every two pending signals of the team that share a key: one
    query. All of the team's pending signals, not only the page's: a group is what the matches connect, and a
    signal on the page may reach a third one only through a second (the same BSN, then the same address). The
    queue of signals not yet weighed is short (the triage term is days); cases never take part."""
    keys = _keys(user)
    mine, theirs = keys.alias("mine"), keys.alias("theirs")
    rows = db.session.execute(
        sa.select(mine.c.signal_id, theirs.c.signal_id, mine.c.via, theirs.c.via).distinct()
        .join(theirs, sa.and_(theirs.c.key == mine.c.key, theirs.c.signal_id > mine.c.signal_id))).all()
    return [(a, b, _match(via_a, via_b)) for a, b, via_a, via_b in rows]


def duplicate_groups(user: User, signals: Sequence[Signal]) -> list[DuplicateGroup]:
    """The groups that the page's ``signals`` (pending, of ``user``'s team) belong to, in the order their first
    member appears on the page; a signal without duplicates is in none. Members off the page are loaded (one
    query), so a group always counts and offers all its signals. At most two queries, whatever the page size."""
    if not signals or not sees_triage_queue(user):
        return []
    pairs = _pairs(user)
    if not pairs:
        return []
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b, _kind in pairs:
        parent[root(a)] = root(b)
    component = {node: root(node) for node in list(parent)}
    known = {signal.id: signal for signal in signals}
    shown = {component[signal.id] for signal in signals if signal.id in component}  # the groups the page touches
    component = {node: group for node, group in component.items() if group in shown}
    missing = [node for node in component if node not in known]
    if missing:
        known.update((signal.id, signal) for signal in db.session.execute(
            sa.select(Signal).where(Signal.id.in_(missing), pending_signals(user))).scalars())
    groups: dict[int, DuplicateGroup] = {}
    for signal in signals:  # page order: a group sits where its first member on the page is
        if signal.id in component:
            groups.setdefault(component[signal.id], DuplicateGroup(signals=[]))
    for node, group in component.items():
        if node in known:
            groups[group].signals.append(known[node])
    for a, _b, kind in pairs:
        if a in component:
            groups[component[a]].matches.add(kind)
    for group in groups.values():
        group.signals.sort(key=lambda signal: (signal.received_at, signal.id))
    return [group for group in groups.values() if group.size > 1]


def group_of(user: User, signal: Signal) -> DuplicateGroup | None:
    """The group ``signal`` belongs to, for its detail page and the bundling form."""
    groups = duplicate_groups(user, [signal])
    return groups[0] if groups else None


def queue_rows(signals: Iterable[Signal], groups: Sequence[DuplicateGroup]) -> list[tuple[DuplicateGroup | None,
                                                                                      list[Signal]]]:
    """The queue in page order with each group together: (group, its signals on this page) or (None, [a single
    signal]). A member on another page of the queue stays there (the badge counts it, the bundling form offers
    it), so paging still shows every signal once."""
    signals = list(signals)
    on_page = {signal.id for signal in signals}
    group_of_signal = {signal.id: group for group in groups for signal in group.signals}
    rows: list[tuple[DuplicateGroup | None, list[Signal]]] = []
    shown: set[int] = set()
    for signal in signals:
        group = group_of_signal.get(signal.id)
        if group is None:
            rows.append((None, [signal]))
        elif id(group) not in shown:
            shown.add(id(group))
            rows.append((group, [member for member in group.signals if member.id in on_page]))
    return rows
