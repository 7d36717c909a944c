"""The simulated people of the load test: run by ``bench/load.py``, not on its own.

Each simulated person takes one account of the plan that ``bench/load_data.py`` wrote
(offices, unit contacts and members of the generated province, in the proportions of the
user classes' weights), logs in through the log-in form, and then visits its role's pages
in a shuffled loop with a think time of 1 to 3 seconds (``LOAD_THINK``, from ``--think``),
reading pages and the API and writing now and then (a study log, a reflection draft, a
progress report through the API).

The measured window opens when the last person has logged in: logging in hashes a
password with PBKDF2 (a third of a second of CPU by design), so fifty log-ins would
otherwise fill the first seconds of the minute. Every request of the window is kept,
raw, in ``LOAD_RAW`` for ``bench/load.py`` to compute exact percentiles; the window
closes after ``LOAD_SECONDS`` and locust quits.

Any answer but 2xx and 3xx is a failure, and so is a redirect to the log-in page.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
RAW = Path(os.environ["LOAD_RAW"])
TODAY = os.environ.get("LOAD_TODAY", "2019-05-20")
LOGIN = "/accounts/login/"


def _pool(role: str):
    """The role's accounts, in an order that spreads them over the province's units."""
    accounts = [a for a in PLAN["accounts"] if a["role"] == role]
    random.Random(f"load-{role}").shuffle(accounts)
    return itertools.cycle(accounts)


POOLS = {role: _pool(role) for role in PLAN["plan"]}


class Window:
    """Opens when every person has logged in, closes ``SECONDS`` later."""

    arrived = 0
    released = Event()
    started_at: float | None = None
    ended = False
    samples: list[list[Any]] = []
    logins: list[list[Any]] = []

    @classmethod
    def arrive(cls, environment) -> None:
        cls.arrived += 1
        if cls.arrived == USERS:
            environment.runner.stats.reset_all()
            cls.started_at = time.time()
            cls.released.set()
            gevent.spawn_later(SECONDS, cls.close, environment)

    @classmethod
    def close(cls, environment) -> None:
        cls.ended = True
        RAW.write_text(
            json.dumps(
                {
                    "started_at": cls.started_at,
                    "ended_at": time.time(),
                    "users": USERS,
                    "samples": cls.samples,
                    "logins": cls.logins,
                }
            )
        )
        environment.runner.quit()


@events.request.add_listener
def _keep(request_type, name, response_time, exception, **_kwargs) -> None:
    if Window.started_at is not None and not Window.ended:
        error = None if exception is None else str(exception)[:300]
        Window.samples.append([request_type, name, response_time, error])


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*(float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(",")))

    def on_start(self) -> None:
        self.account = next(POOLS[self.role])
        self.pages: list[str] = []
        self.writes = 0
        self.log_in()
        Window.arrive(self.environment)
        Window.released.wait()
        # People do not all click in the same instant once the window opens.
        gevent.sleep(random.uniform(0, 3))
        # Waiting for the others can outlast the server's keep-alive: the connection kept
        # since logging in may be closing just as it is reused (a reset, seen once on a
        # POST). A browser back after such a pause opens a new one; so does this person.
        self.client.close()

    # ------------------------------------------------------------ logging in

    def log_in(self) -> None:
        started = time.perf_counter()
        self.client.get(LOGIN, name="log-in: form")
        with self.client.post(
            LOGIN,
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                "next": "",
            },
            headers={"Referer": self.host + LOGIN},
            name="log-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            ok = response.status_code == 302 and LOGIN not in location
            if not ok:
                response.failure(f"log-in refused: HTTP {response.status_code}")
        Window.logins.append([self.account["username"], (time.perf_counter() - started) * 1000, ok])

    # ------------------------------------------------------------ the loop

    @task
    def next_page(self) -> None:
        if not self.pages:
            self.pages = [
                name
                for name in PLAN["plan"][self.role]
                if not PLAN["pages"][name]["needs"] or self.account[PLAN["pages"][name]["needs"]]
            ]
            random.shuffle(self.pages)
        name = self.pages.pop()
        page = PLAN["pages"][name]
        url = page["url"].format(**self.account)
        if not page["write"]:
            self.read(name, url)
        elif url.startswith("/api/"):
            self.api_write(name, url)
        else:
            self.form_write(name, url)

    def _api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account['token']}"}

    def read(self, name: str, url: str) -> None:
        headers = self._api_headers() if url.startswith("/api/") else None
        with self.client.get(
            url, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            self._judge(response)

    def form_write(self, name: str, url: str) -> None:
        """Read the form, then post it; a form answered again (200) was refused."""
        with self.client.get(
            url, name=f"{name}: form", allow_redirects=False, catch_response=True
        ) as response:
            if not self._judge(response):
                return
        self.writes += 1
        data = self._form_data(name)
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            url,
            data=data,
            headers={"Referer": self.host + url},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                response.failure("the form was answered again: refused")
            else:
                self._judge(response)

    def _form_data(self, name: str) -> dict[str, str]:
        who = self.account["username"]
        if name == "study log":
            return {
                "material": "",
                "other_title": "习近平新时代中国特色社会主义思想学习纲要",
                "studied_on": TODAY,
                "minutes": str(random.randint(20, 120)),
                "note": f"{who} 第{self.writes}次自学",
            }
        return {
            "title": f"学习心得（{who}，第{self.writes}篇）",
            "material": "",
            "theme": "",
            "body": f"<p>{who}：对照六个破除查找差距，第{self.writes}次修改，"
            f"随机数{random.randint(0, 10**9)}。</p>",
        }

    def api_write(self, name: str, url: str) -> None:
        self.writes += 1
        with self.client.post(
            url,
            json={"text": f"第{self.writes}次报告整改进展：已召开专题会议研究措施。"},
            headers=self._api_headers(),
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._judge(response)

    @staticmethod
    def _judge(response) -> bool:
        status = response.status_code
        if 300 <= status < 400 and LOGIN in response.headers.get("Location", ""):
            response.failure("redirected to the log-in page")
            return False
        if status == 0:
            response.failure(f"no answer: {response.error!r}"[:300])
            return False
        if not 200 <= status < 400:
            response.failure(f"HTTP {status}")
            return False
        response.success()
        return True


class Member(Person):
    role = "member"
    weight = 6


class Contact(Person):
    role = "contact"
    weight = 3


class Office(Person):
    role = "office"
    weight = 1
