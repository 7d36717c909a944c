"""The demo's accounts: the header counter agrees with the to-do page for every one of them."""

import pytest

from taolun.core import clock
from taolun.core.demo import DEMO_ACCOUNTS, DEMO_TODAY
from taolun.core.tests.test_demo import demo, demo_loaded  # noqa: F401 (fixtures)
from taolun.notifications.selectors import participation_todo_count, todo_count, todo_for
from taolun.org.models import User


class TestDemoTodo:
    """One demo load for the class (see ``taolun/core/tests/test_demo.py``)."""

    @pytest.mark.parametrize("username", [account[0] for account in DEMO_ACCOUNTS])
    def test_counter_equals_the_page(self, demo, username):  # noqa: F811
        user = User.objects.select_related("unit").get(username=username)
        with clock.travel(DEMO_TODAY):
            todo = todo_for(user)
            assert todo_count(user) == todo.total
            participation = len(todo.to_study) + len(todo.to_check) + len(todo.to_answer)
            assert participation_todo_count(user) == participation

    def test_the_demo_has_participation_to_do(self, demo):  # noqa: F811
        """So the test above compares real items: the demo's study is due, its opinions wait."""
        with clock.travel(DEMO_TODAY):
            member = todo_for(User.objects.select_related("unit").get(username="member"))
            office = todo_for(User.objects.select_related("unit").get(username="office"))
        assert member.to_study and office.to_answer
