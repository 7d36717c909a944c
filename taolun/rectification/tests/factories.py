"""Helpers for ledger tests: problems made through the service, or put in a state directly."""

from __future__ import annotations

import datetime as dt

from taolun.rectification.models import Problem, ProgressUpdate
from taolun.rectification.services import problem_create

D = dt.date


def make_problem(org, *, unit: str = "branch1", who: str | None = None, **kw) -> Problem:
    """A problem of ``unit`` recorded by its contact, due 2019-04-30 unless told otherwise."""
    who = who or ("contact1" if unit in ("branch1", "root", "organ") else "contact2")
    if unit in ("root", "organ") and who == "contact1":
        who = "office"
    kw.setdefault("description", "理论学习不够深入")
    kw.setdefault("deadline", D(2019, 4, 30))
    return problem_create(
        actor=getattr(org, who), campaign=org.campaign, unit=getattr(org, unit), **kw
    )


def put(problem: Problem, state: str, **fields) -> Problem:
    """Force a state (and fields) without the services, to set up a test."""
    Problem.objects.filter(pk=problem.pk).update(state=state, **fields)
    problem.refresh_from_db()
    return problem


def evidence(problem: Problem, author, text: str = "已完成整改") -> ProgressUpdate:
    return ProgressUpdate.objects.create(
        problem=problem, text=f"<p>{text}</p>", reported_on=D(2019, 3, 10), author=author
    )
