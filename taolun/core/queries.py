"""Counting several querysets in one round trip to the database."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import IntegerField, QuerySet, Subquery


class CountOf(Subquery):
    """``COUNT(*)`` of a queryset as a scalar subquery: one row, even when nothing matches.

    The queryset may be sliced: ``CountOf(qs[:100])`` stops reading after a hundred rows.
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()
    # A queryset that can match nothing (``pk__in=[]``) is not sent at all: it counts 0.
    empty_result_set_value = 0


def count_each(anchor: QuerySet, querysets: Sequence[QuerySet]) -> list[int]:
    """The number of rows of each queryset, read in one query as scalar subqueries over
    ``anchor`` (a queryset of exactly one row, such as the user's own); no query at all when
    every queryset is empty by construction (``none()``)."""
    counts = {f"n{i}": CountOf(qs) for i, qs in enumerate(querysets) if not qs.query.is_empty()}
    if not counts:
        return [0] * len(querysets)
    row = anchor.annotate(**counts).values(*counts).first() or {}
    return [row.get(f"n{i}", 0) for i in range(len(querysets))]
