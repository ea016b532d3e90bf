"""Locust users for ``bench/load.py``: one user class per role, each walking its
journey (the pages and answers ``bench.load.journeys`` wrote to the plan file, with the
signed-in session cookies of that role's accounts) over and over, with no think time.
Run by the benchmark; not meant to be started by hand."""

import itertools
import json
import os

from locust import HttpUser, constant, task

PLAN = json.loads(open(os.environ["LOAD_BENCH_PLAN"]).read())  # noqa: SIM115 - read once
CSRF = os.environ["LOAD_BENCH_CSRF"]


class Journey(HttpUser):
    abstract = True
    wait_time = constant(0)
    role = ""
    #: Hands out the role's accounts in turn, so two users share one only when there are
    #: more users of the role than accounts (then an answer may be refused as a repeat).
    turns = None

    def on_start(self):
        journey = PLAN[self.role]
        self.pages = journey["pages"]
        cookies = journey["cookies"]
        self.client.cookies.set("sessionid", cookies[next(self.turns) % len(cookies)])
        self.client.cookies.set("csrftoken", CSRF)

    @task
    def walk(self):
        for name, method, path, htmx, data in self.pages:
            headers = {"X-CSRFToken": CSRF, "Referer": self.host + path}
            if htmx:
                headers["HX-Request"] = "true"
            send = self.client.post if method == "POST" else self.client.get
            kwargs = {"data": data} if method == "POST" else {}
            with send(path, name=name, headers=headers, catch_response=True, **kwargs) as answer:
                # 422: the answer was refused with a message (e.g. enrolled already by
                # another user of the same account, or left enrolled by a run stopped
                # between enroll and withdraw); still a rendered page, not a failure.
                if answer.status_code in (200, 422):
                    answer.success()
                else:
                    answer.failure(f"{answer.status_code} for {method} {path}")


def _user_class(role: str) -> type:
    attributes = {"role": role, "turns": itertools.count(), "__module__": __name__}
    return type(role, (Journey,), attributes)


for _role in PLAN:
    globals()[_role] = _user_class(_role)
