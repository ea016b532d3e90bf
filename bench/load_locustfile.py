"""Locust users for ``bench/load.py``: one user class per role, each walking its
journey (the pages and answers ``bench.load.journeys`` wrote to the plan file, with the
signed-in session cookies of that role's accounts) over and over, with no think time.
Run by the benchmark; not meant to be started by hand.

``FastHttpUser`` (geventhttpclient), not ``HttpUser`` (requests): the load generator shares
the two cores with gunicorn and PostgreSQL, and the lighter client leaves them more of the
machine (docs/benchmarks.md, the load runs of 2026-11-30 from 19:55). Redirects are not
followed: a page that sends the person to sign in counts as a failure, not as the sign-in
page."""

import itertools
import json
import os

from locust import FastHttpUser, constant, task

PLAN = json.loads(open(os.environ["LOAD_BENCH_PLAN"]).read())  # noqa: SIM115 - read once
CSRF = os.environ["LOAD_BENCH_CSRF"]


class Journey(FastHttpUser):
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
        session = cookies[next(self.turns) % len(cookies)]
        # Sent as a header, which the client's cookie jar leaves alone when it is present.
        self.cookie = f"sessionid={session}; csrftoken={CSRF}"

    @task
    def walk(self):
        for name, method, path, htmx, data in self.pages:
            headers = {"X-CSRFToken": CSRF, "Referer": self.host + path, "Cookie": self.cookie}
            if htmx:
                headers["HX-Request"] = "true"
            send = self.client.post if method == "POST" else self.client.get
            kwargs = {"data": data} if method == "POST" else {}
            with send(
                path,
                name=name,
                headers=headers,
                catch_response=True,
                allow_redirects=False,
                **kwargs,
            ) as answer:
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
