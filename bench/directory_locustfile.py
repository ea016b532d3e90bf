"""Locust users for ``bench/directory_load.py``: IOM staff browsing the member directory
with a mix of filters. Run by the benchmark (it passes the signed-in session cookies and
the paths in the environment); not meant to be started by hand."""

import json
import os
import random

from locust import FastHttpUser, constant, task

COOKIES = os.environ["DIRECTORY_BENCH_COOKIES"].split(",")
PATHS = json.loads(os.environ["DIRECTORY_BENCH_PATHS"])


class Staff(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.cookie = f"sessionid={random.choice(COOKIES)}"

    @task
    def browse(self):
        name, path, htmx = random.choice(PATHS)
        headers = {"Cookie": self.cookie}
        if htmx:
            headers["HX-Request"] = "true"
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
