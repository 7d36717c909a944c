"""A synthetic province for load and scale tests (``manage.py gen_province``).

The tree is province → cities → counties → townships → villages, with an organ (机关,
which only groups) and its party branches at the province, each city and each county.
Everything follows from ``(units, seed)``: the same pair gives the same names, slugs and
materialised paths, so a benchmark can be rerun on the same data.

Why not the services: ``unit_add`` (treebeard's ``add_child``) costs several queries per
unit and ``campaign_sync_statuses`` holds every row in memory; at 100,000 units and
1,000,000 status rows that is hours. The plan is computed in Python instead — paths,
``depth`` and ``numchild`` included, so treebeard's ``find_problems`` finds nothing — and
written with one ``COPY`` per table on PostgreSQL (``executemany`` on SQLite). Bulk
inserts bypass auditlog on purpose: synthetic rows were never changed by anyone, so there
is nothing to audit. The campaign itself is made with ``campaign_create`` (audited).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Campaign,
    RecordState,
    Stage,
    Theme,
)
from taolun.campaigns.services import campaign_create
from taolun.core import clock
from taolun.discussion.models import Opinion, Topic
from taolun.org.models import RoleAssignment, Unit, UnitKind, User
from taolun.org.roles import Role
from taolun.rectification.models import Problem, ProblemKind, ProblemSource, ProblemState
from taolun.reporting.models import Brief, BriefReview, BriefState, ReviewState
from taolun.study.models import Reflection, StudyLog

# The synthetic campaign runs like the seed's: February to June 2019, "today" 2019-05-20.
TODAY = dt.date(2019, 5, 20)
STARTS_ON = dt.date(2019, 2, 18)
ENDS_ON = dt.date(2019, 6, 30)
STAGES = [
    ("动员", dt.date(2019, 2, 18), dt.date(2019, 3, 10)),
    ("学习", dt.date(2019, 3, 11), dt.date(2019, 4, 10)),
    ("实践", dt.date(2019, 4, 11), dt.date(2019, 5, 31)),
    ("提升", dt.date(2019, 6, 1), dt.date(2019, 6, 30)),
]
MIN_UNITS = 60

# (code, name, takes part in the campaign's actions)
KINDS = {
    "province": ("省", True),
    "city": ("市", True),
    "county": ("县", True),
    "township": ("乡镇", True),
    "village": ("村", True),
    "organ": ("机关", False),
    "branch": ("党支部", True),
}

_SYLLABLES = (
    "安平阳泉城和兴宁清河永乐石岭东西南北长新丰顺泰康华山川林源桥沟峪坪庄堡湾屯"
    "明德仁义广福寿昌盛隆兴汾晋太原朔忻吕梁沁水襄垣黎壶关陵川高平泽"
)
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐"
    "冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红玉兰志海峰"
_BRANCH_ORDINALS = "一二三四五六七八九十"
_PROBLEMS = (
    "学习研讨流于形式，联系实际不够",
    "为残疾人办事流程繁琐，群众反映等待时间长",
    "调查研究不深入，掌握基层情况不全面",
    "制度执行不严格，台账记录不完整",
    "服务意识不强，主动上门服务不够",
    "创新意识不足，工作方法陈旧",
)


@dataclass(frozen=True)
class PlannedUnit:
    path: str
    depth: int
    numchild: int
    name: str
    slug: str
    kind: str


@dataclass
class Shape:
    """How many children each level has; villages make up the rest of the units."""

    cities: int
    counties: int
    townships: int
    branches: dict[str, int] = field(
        default_factory=lambda: {"province": 2, "city": 2, "county": 3}
    )

    def fixed(self) -> int:
        """Units other than villages."""
        per_organ = {level: 1 + n for level, n in self.branches.items()}
        counties = self.cities * self.counties
        return (
            1
            + per_organ["province"]
            + self.cities * (1 + per_organ["city"])
            + counties * (1 + per_organ["county"])
            + counties * self.townships
        )


def shape_for(units: int) -> Shape:
    """A province-like shape of about ``units`` units: Shanxi has 11 cities."""
    if units < MIN_UNITS:
        raise ValueError(f"a province needs at least {MIN_UNITS} units")
    root = units**0.25

    def clamp(x: float, hi: int) -> int:
        return max(2, min(hi, round(x)))

    return Shape(
        cities=clamp(root * 0.6, 11),
        counties=clamp(root * 0.6, 10),
        townships=clamp(root * 0.7, 12),
    )


class _Names:
    """Place-like Chinese names from fixed syllables, drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def place(self, suffix: str) -> str:
        return self.rng.choice(_SYLLABLES) + self.rng.choice(_SYLLABLES) + suffix

    def person(self) -> str:
        given = self.rng.choice(_GIVEN)
        if self.rng.random() < 0.6:
            given += self.rng.choice(_GIVEN)
        return self.rng.choice(_SURNAMES) + given


def plan_units(*, units: int, seed: int, prefix: str, root_path: str) -> list[PlannedUnit]:
    """The whole tree in path order: exactly ``units`` units, deterministic for the seed."""
    shape = shape_for(units)
    rng = random.Random(f"units-{seed}")
    names = _Names(rng)
    steplen = Unit.steplen
    villages = units - shape.fixed()
    townships_total = shape.cities * shape.counties * shape.townships
    if villages < 0:
        raise ValueError(f"{units} units are too few for the shape {shape}")
    out: list[PlannedUnit] = []

    def step(n: int) -> str:
        return Unit._int2str(n).rjust(steplen, "0")

    def add(path: str, kind: str, name: str, slug: str, numchild: int) -> None:
        out.append(
            PlannedUnit(
                path=path,
                depth=len(path) // steplen,
                numchild=numchild,
                name=name,
                slug=slug,
                kind=kind,
            )
        )

    def organ(parent_path: str, parent_name: str, level: str, pos: int, slug: str) -> None:
        n = shape.branches[level]
        organ_path = parent_path + step(pos)
        add(organ_path, "organ", f"{parent_name}机关", f"{slug}-organ", n)
        for b in range(1, n + 1):
            add(
                organ_path + step(b),
                "branch",
                f"{parent_name}机关第{_BRANCH_ORDINALS[b - 1]}党支部",
                f"{slug}-b{b}",
                0,
            )

    province_name = names.place("省")
    add(root_path, "province", province_name, prefix, 1 + shape.cities)
    organ(root_path, province_name, "province", 1, prefix)
    township_index = 0
    for c in range(1, shape.cities + 1):
        city_path = root_path + step(c + 1)
        city_name = names.place("市")
        city_slug = f"{prefix}-c{c:02d}"
        add(city_path, "city", city_name, city_slug, 1 + shape.counties)
        organ(city_path, city_name, "city", 1, city_slug)
        for k in range(1, shape.counties + 1):
            county_path = city_path + step(k + 1)
            county_name = names.place("县")
            county_slug = f"{city_slug}k{k:02d}"
            add(county_path, "county", county_name, county_slug, 1 + shape.townships)
            organ(county_path, county_name, "county", 1, county_slug)
            for t in range(1, shape.townships + 1):
                township_path = county_path + step(t + 1)
                count = villages // townships_total + (
                    1 if township_index < villages % townships_total else 0
                )
                township_index += 1
                township_name = names.place("镇" if rng.random() < 0.4 else "乡")
                township_slug = f"{county_slug}t{t:02d}"
                add(township_path, "township", township_name, township_slug, count)
                for v in range(1, count + 1):
                    add(
                        township_path + step(v),
                        "village",
                        names.place("村"),
                        f"{township_slug}v{v:03d}",
                        0,
                    )
    return out


# ---------------------------------------------------------------- fast inserts


class _Table:
    """Rows of one model written in bulk: one COPY on PostgreSQL, executemany on SQLite.

    Rows are dicts by attname; every column the row leaves out gets the field's default,
    as the model would have given it (the database has no defaults of its own).
    """

    def __init__(self, model: type[models.Model], now: dt.datetime) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
        self.postgres = connection.vendor == "postgresql"
        self._adapted: dict[Any, Any] = {}

    def _value(self, value: Any) -> Any:
        if self.postgres or value is None or isinstance(value, (int, str)):
            return value
        cached = self._adapted.get(value)
        if cached is None:
            if isinstance(value, dt.datetime):
                cached = connection.ops.adapt_datetimefield_value(value)
            elif isinstance(value, dt.date):
                cached = value.isoformat()
            else:
                cached = value
            self._adapted[value] = cached
        return cached

    def write(self, rows: Iterable[dict[str, Any]], tick: Callable[[int], Any]) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        names = [f.attname for f in self.fields]
        defaults = self.defaults

        def values(row: dict[str, Any]) -> tuple:
            return tuple(self._value(row[n] if n in row else defaults[n]) for n in names)

        written = 0
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(values(row))
                        written += 1
                        if written % 10_000 == 0:
                            tick(10_000)
            else:
                marks = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
                for batch in _batches(rows, 5_000):
                    cursor.executemany(sql, [values(r) for r in batch])
                    written += len(batch)
                    tick(len(batch))
        if self.postgres:
            tick(written % 10_000)
        return written


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------- the generator


@dataclass
class Options:
    units: int
    seed: int = 1
    actions: int = 10
    problems: int | None = None  # default: two per unit taking part
    briefs: int | None = None  # default: one per 20 units
    members: int | None = None  # default: one per 10 units
    prefix: str | None = None  # slug prefix; default "gp<seed>"

    @property
    def slug_prefix(self) -> str:
        return self.prefix or f"gp{self.seed}"


@dataclass
class Result:
    root: Unit
    campaign: Campaign
    counts: dict[str, int]


Progress = Callable[[str, int], Callable[[int], Any]]


def _no_progress(label: str, total: int) -> Callable[[int], Any]:
    return lambda n: None


def province_exists(prefix: str) -> Unit | None:
    return Unit.objects.filter(slug=prefix).first()


def _kinds() -> dict[str, UnitKind]:
    kinds = {}
    for order, (code, (name, takes_part)) in enumerate(KINDS.items(), start=20):
        kinds[code], _created = UnitKind.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "takes_part": takes_part}
        )
    return kinds


def _next_root_path() -> str:
    last = Unit.objects.get_last_root_node()
    pos = last._get_lastpos_in_path() + 1 if last is not None else 1
    return Unit._get_path(None, 1, pos)


@transaction.atomic
def generate(options: Options, progress: Progress = _no_progress) -> Result:
    """Build the province described by ``options``; all or nothing."""
    prefix = options.slug_prefix
    if province_exists(prefix):
        raise ValueError(f"a unit with the slug {prefix!r} exists already")
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9)))
    rng = random.Random(f"data-{options.seed}")
    names = _Names(rng)
    counts: dict[str, int] = {}
    kinds = _kinds()

    # -- units
    planned = plan_units(
        units=options.units, seed=options.seed, prefix=prefix, root_path=_next_root_path()
    )
    tick = progress("units", len(planned))
    counts["units"] = _Table(Unit, now).write(
        (
            {
                "path": u.path,
                "depth": u.depth,
                "numchild": u.numchild,
                "name": u.name,
                "slug": u.slug,
                "kind_id": kinds[u.kind].pk,
            }
            for u in planned
        ),
        tick,
    )
    root = Unit.objects.get(slug=prefix)
    unit_ids = dict(Unit.objects.filter(path__startswith=root.path).values_list("path", "pk"))
    acting = [(u, unit_ids[u.path]) for u in planned if KINDS[u.kind][1]]

    # -- people: an office at the province, each city and county, a contact per township,
    # members spread over the villages and branches.
    people: list[dict[str, Any]] = []
    roles: list[tuple[str, str, str]] = []  # (username, unit path, role)

    def person(username: str, unit_path: str, role: str) -> None:
        people.append(
            {
                "username": username,
                "name": names.person(),
                "password": "!",  # unusable: synthetic people never log in as such
                "unit_id": unit_ids[unit_path],
                "email": "",
                "date_joined": now,
            }
        )
        roles.append((username, unit_path, role))

    person(f"{prefix}-office", root.path, Role.OFFICE)
    person(f"{prefix}-leader", root.path, Role.LEADER)
    person(f"{prefix}-supervisor", root.path, Role.SUPERVISOR)
    for u in planned:
        if u.kind in ("city", "county"):
            person(f"{u.slug}-office", u.path, Role.OFFICE)
        elif u.kind == "township":
            person(f"{u.slug}-contact", u.path, Role.CONTACT)
    grassroots = [u for u in planned if u.kind in ("village", "branch")]
    members = options.members if options.members is not None else options.units // 10
    for i in range(members):
        home = grassroots[(i * 7919) % len(grassroots)]
        person(f"{prefix}-m{i + 1:06d}", home.path, Role.MEMBER)
    counts["people"] = _Table(User, now).write(people, progress("people", len(people)))
    user_ids = dict(
        User.objects.filter(username__startswith=f"{prefix}-").values_list("username", "pk")
    )
    counts["roles"] = _Table(RoleAssignment, now).write(
        (
            {"user_id": user_ids[name], "unit_id": unit_ids[path], "role": role}
            for name, path, role in roles
        ),
        progress("roles", len(roles)),
    )
    office = User.objects.get(username=f"{prefix}-office")
    # Who writes for a unit: the contact of its township, else the office above it.
    writers = {path: user_ids[name] for name, path, role in roles if role != Role.MEMBER}

    def writer_for(path: str) -> int:
        for i in range(len(path) // Unit.steplen, 0, -1):
            found = writers.get(path[: i * Unit.steplen])
            if found is not None:
                return found
        return office.pk

    member_rows = [(user_ids[n], unit_ids[p]) for n, p, r in roles if r == Role.MEMBER]

    # -- the campaign, its stages and prescribed actions
    with clock.travel(STARTS_ON):
        campaign = campaign_create(
            actor=office,
            slug=f"{prefix}-2019",
            name=f"{root.name}“改革创新、奋发有为”大讨论",
            owner_unit=root,
            office_unit=root,
            starts_on=STARTS_ON,
            ends_on=ENDS_ON,
            launched_on=STARTS_ON,
        )
    Theme.objects.bulk_create(
        Theme(
            campaign=campaign,
            number=n,
            break_with=f"破除{n}",
            focus_on=f"着力{n}",
            adhere_to=f"坚持{n}",
        )
        for n in range(1, 7)
    )
    stages = Stage.objects.bulk_create(
        Stage(campaign=campaign, number=n, name=name, starts_on=s, ends_on=e)
        for n, (name, s, e) in enumerate(STAGES, start=1)
    )
    actions = []
    for n in range(1, options.actions + 1):
        stage = stages[min(len(stages) - 1, (n - 1) * len(stages) // options.actions)]
        span = (stage.ends_on - stage.starts_on).days
        due = stage.starts_on + dt.timedelta(days=span * (1 + (n % 3)) // 3)
        actions.append(
            Action(
                campaign=campaign,
                stage=stage,
                kind=ActionKind.PRESCRIBED,
                number=n,
                name=f"规定动作{n}",
                due_on=due,
            )
        )
    actions = Action.objects.bulk_create(actions)
    counts["actions"] = len(actions)

    # -- one status row per (unit, action), states spread by due date
    def statuses() -> Iterator[dict[str, Any]]:
        srng = random.Random(f"statuses-{options.seed}")
        for _unit, unit_id in acting:
            for action in actions:
                due = action.due_on
                r = srng.random()
                done_share = 0.7 if due < TODAY else 0.25
                completed = None
                if r < done_share:
                    state = RecordState.ACCEPTED
                    late = srng.random() < 0.15 and due + dt.timedelta(days=1) < TODAY
                    if late:
                        completed = min(TODAY, due + dt.timedelta(days=srng.randint(1, 20)))
                    else:
                        completed = min(TODAY, due - dt.timedelta(days=srng.randint(0, 10)))
                elif r < done_share + 0.1:
                    state = RecordState.SUBMITTED
                elif r < done_share + 0.2:
                    state = RecordState.WORKING
                else:
                    state = RecordState.NONE
                yield {
                    "campaign_id": campaign.pk,
                    "unit_id": unit_id,
                    "action_id": action.pk,
                    "stage_id": action.stage_id,
                    "due_on": due,
                    "record_state": state,
                    "completed_on": completed,
                    "records_count": 0 if state == RecordState.NONE else 1,
                    "updated_at": now,
                }

    counts["statuses"] = _Table(ActionStatus, now).write(
        statuses(), progress("action statuses", len(acting) * len(actions))
    )

    # -- activity records: one per tenth unit, for its first action
    record_rows = []
    for i, (u, unit_id) in enumerate(acting[::10]):
        action = actions[i % len(actions)]
        record_rows.append(
            {
                "campaign_id": campaign.pk,
                "action_id": action.pk,
                "unit_id": unit_id,
                "title": f"{u.name}{action.name}",
                "held_on": min(TODAY, action.due_on),
                "content": "<p>按方案开展。</p>",
                "status": RecordStatus.SUBMITTED,
                "created_by_id": writer_for(u.path),
                "submitted_at": now,
            }
        )
    counts["records"] = _Table(ActivityRecord, now).write(
        record_rows, progress("activity records", len(record_rows))
    )

    # -- problems, across states, some overdue
    n_problems = options.problems if options.problems is not None else 2 * len(acting)
    state_weights = [
        (ProblemState.DRAFT, 5),
        (ProblemState.OPEN, 20),
        (ProblemState.IN_PROGRESS, 35),
        (ProblemState.COMPLETED, 15),
        (ProblemState.VERIFIED, 20),
        (ProblemState.CARRIED_OVER, 5),
    ]
    state_list = [s for s, _w in state_weights]
    weights = [w for _s, w in state_weights]

    def problems() -> Iterator[dict[str, Any]]:
        prng = random.Random(f"problems-{options.seed}")
        for i in range(n_problems):
            u, unit_id = acting[prng.randrange(len(acting))]
            state = prng.choices(state_list, weights)[0]
            deadline = dt.date(2019, 3, 1) + dt.timedelta(days=prng.randint(0, 180))
            completed = verified = verifier = None
            if state in (ProblemState.COMPLETED, ProblemState.VERIFIED):
                completed = min(TODAY, deadline + dt.timedelta(days=prng.randint(-20, 5)))
            if state == ProblemState.VERIFIED:
                verified = min(TODAY, completed + dt.timedelta(days=prng.randint(0, 5)))
                verifier = office.pk
            yield {
                "campaign_id": campaign.pk,
                "ledger_number": f"{prefix}-{i + 1:07d}",
                "description": _PROBLEMS[i % len(_PROBLEMS)],
                "source": ProblemSource.SELF_EXAMINATION,
                "unit_id": unit_id,
                "deadline": deadline,
                "kind": ProblemKind.DEADLINE,
                "state": state,
                "carried_over_reason": "需长期推进" if state == ProblemState.CARRIED_OVER else "",
                "created_by_id": writer_for(u.path),
                "created_at": now,
                "updated_at": now,
                "completed_on": completed,
                "verified_on": verified,
                "verified_by_id": verifier,
            }

    counts["problems"] = _Table(Problem, now).write(problems(), progress("problems", n_problems))

    # -- briefs: submitted and adopted ones reach the office as a level-1 review
    n_briefs = options.briefs if options.briefs is not None else options.units // 20
    brng = random.Random(f"briefs-{options.seed}")
    briefs = []
    for i in range(n_briefs):
        u, unit_id = acting[brng.randrange(len(acting))]
        r = brng.random()
        state = (
            BriefState.ADOPTED if r < 0.4 else BriefState.SUBMITTED if r < 0.8 else BriefState.DRAFT
        )
        author = writer_for(u.path)
        briefs.append(
            Brief(
                campaign=campaign,
                unit_id=unit_id,
                title=f"{u.name}扎实推进大讨论（{i + 1}）",
                body="<p>简报正文。</p>",
                author_id=author,
                phone="0351-0000000",
                state=state,
                signed_by_id=None if state == BriefState.DRAFT else author,
                signed_at=None if state == BriefState.DRAFT else now,
                submitted_at=None if state == BriefState.DRAFT else now,
                created_at=now,
                updated_at=now,
            )
        )
    tick = progress("briefs", n_briefs)
    briefs = Brief.objects.bulk_create(briefs, batch_size=2_000)
    tick(len(briefs))
    counts["briefs"] = len(briefs)
    reviews = [
        BriefReview(
            brief=b,
            campaign=campaign,
            level=1,
            state=ReviewState.ADOPTED if b.state == BriefState.ADOPTED else ReviewState.PENDING,
            sent_by_id=b.author_id,
            received_at=now,
            decided_by=office if b.state == BriefState.ADOPTED else None,
            decided_at=now if b.state == BriefState.ADOPTED else None,
        )
        for b in briefs
        if b.state != BriefState.DRAFT
    ]
    counts["brief reviews"] = len(BriefReview.objects.bulk_create(reviews, batch_size=2_000))

    # -- participation: a study log per member, a reflection and an opinion per fifth one
    counts["study logs"] = _Table(StudyLog, now).write(
        (
            {
                "campaign_id": campaign.pk,
                "person_id": uid,
                "unit_id": unit_id,
                "other_title": "习近平新时代中国特色社会主义思想学习纲要",
                "studied_on": TODAY - dt.timedelta(days=i % 60),
                "minutes": 30 + i % 90,
                "created_at": now,
            }
            for i, (uid, unit_id) in enumerate(member_rows)
        ),
        progress("study logs", len(member_rows)),
    )
    fifth = member_rows[::5]
    counts["reflections"] = _Table(Reflection, now).write(
        (
            {
                "campaign_id": campaign.pk,
                "author_id": uid,
                "unit_id": unit_id,
                "title": "学习心得",
                "body": f"<p>心得体会第{i + 1}篇。</p>",
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i, (uid, unit_id) in enumerate(fifth)
        ),
        progress("reflections", len(fifth)),
    )
    topic = Topic.objects.create(
        campaign=campaign,
        unit=root,
        question="如何改进为残疾人服务？",
        opens_on=STARTS_ON,
        closes_on=ENDS_ON,
        created_by=office,
    )
    counts["opinions"] = _Table(Opinion, now).write(
        (
            {
                "topic_id": topic.pk,
                "author_id": uid,
                "unit_id": unit_id,
                "body": f"<p>建议第{i + 1}条。</p>",
                "created_at": now,
            }
            for i, (uid, unit_id) in enumerate(fifth)
        ),
        progress("opinions", len(fifth)),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Unit, User, ActionStatus, Problem, Brief, BriefReview, StudyLog):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    root.refresh_from_db()
    return Result(root=root, campaign=campaign, counts=counts)


def describe(counts: dict[str, int]) -> Sequence[str]:
    return [f"{what}: {n:,}" for what, n in counts.items()]
