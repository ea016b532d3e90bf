"""Service calls made at the same moment on separate database connections: the tests that
prove a row lock or SKIP LOCKED holds (PostgreSQL) release them together."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def all_at_once(*actions) -> list[ValidationError]:
    """Run each callable in its own thread, all released together, each on its own database
    connection (closed when it ends); return the refusals (``ValidationError``) they met.
    Any other exception is raised here, in the test's thread, instead of being printed and
    lost with its thread."""
    barrier = threading.Barrier(len(actions))
    refused, crashed = [], []

    def run(action):
        barrier.wait()
        try:
            action()
        except ValidationError as error:
            refused.append(error)
        except Exception as error:
            crashed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if crashed:
        raise crashed[0]
    return refused
