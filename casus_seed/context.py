"""What every part of a synthetic case is written with: the row buffer, the one random stream, the region and its
pools of users, the clock, and the case's own tijdlijn (written last, in the order its lines were added).
"""

from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

from casus.audit.models import AuditEvent
from casus_seed.bulk import Rows
from casus_seed.draws import at_time
from casus_seed.region import Region
from workflow import Cadences


class SeedContext(Rows):
    def __init__(self, rng: random.Random, region: Region, today: date, now: datetime, zone: ZoneInfo,
                 cadences: Cadences, featured: set[int]):
        super().__init__()
        self.rng, self.region, self.today, self.now, self.zone = rng, region, today, now, zone
        self.cadences, self.featured = cadences, featured

    def user_of(self, org_id: int) -> int | None:
        users = self.region.users_by_org.get(org_id)
        return self.rng.choice(users) if users else None

    def procesregisseur_for(self, team_id: int) -> int | None:
        """A procesregisseur of the team; the featured ones (the demo's) run four times their share."""
        pool = self.region.procesregisseurs.get(team_id) or []
        if not pool:
            return None
        weights = [4 if uid in self.featured else 1 for uid in pool]
        return self.rng.choices(pool, weights)[0]

    def supervisor_for(self, team_id: int, not_id: int | None) -> int | None:
        pool = [uid for uid in self.region.supervisors.get(team_id) or () if uid != not_id]
        return self.rng.choice(pool) if pool else None

    def at(self, day: date) -> datetime:
        return at_time(day, self.rng, self.now, self.zone)

    def audit(self, user_id, action, object_type, object_id, case_id, moment, details) -> None:
        rng = self.rng
        self.add(AuditEvent, id=self.new_id(AuditEvent), occurred_at=moment, user_id=user_id,
                 organisation_id=self.region.org_of.get(user_id), roles=self.region.roles_of.get(user_id, ""),
                 action=action, object_type=object_type, object_id=None if object_id is None else str(object_id),
                 case_id=case_id,
                 outcome="success", ip=f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                 request_id=f"{rng.getrandbits(128):032x}", purpose=None, details=details)


class Timeline:
    """The lines of one case's tijdlijn, as (kind, summary, moment, actor, actor's organisation, note)."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.lines: list[tuple] = []

    def __call__(self, kind: str, summary: str, moment: datetime, user_id: int | None,
                 note_id: int | None = None) -> None:
        self.lines.append((kind, summary[:500], moment, user_id, self.region.org_of.get(user_id), note_id))
