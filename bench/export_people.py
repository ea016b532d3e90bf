"""Benchmark: a streamed CSV (and XLSX) export of people, through the exports kernel.

Builds the alliance with ``bench.scale`` (10,000 organizations, 100,000 people by default)
in its own PostgreSQL database, then, in a fresh child process per measurement, exports
the first N people through the same code path as the exports view: a registered
``ExportDataset`` read with a ``QueryDict`` of filters, ``services.table_rows`` (personal
columns included) and ``writers.csv_chunks`` / ``writers.write_xlsx``. The rows come from
one query (``values_list`` of the user fields and their organization's name through the
memberships, ``iterator(chunk_size=2000)``). The CSV bytes go to a counting sink, as a
streaming response would hand them to the server.

Each child reports rows per second (wall clock, and per second of its own CPU time, which
depends less on other load on a shared machine) and its peak resident memory (``VmHWM``) before and
after the export: in constant memory, the peak does not grow with N.

    .venv/bin/python -m bench.export_people \\
        --database-url postgres://postgres@127.0.0.1:5432/gdpa_bench_exports \\
        --rows 10000 100000 [--skip-build] [--json out.json]

The database is DROPPED and rebuilt unless ``--skip-build`` (its name must contain
"bench"; it must be on 127.0.0.1).
"""

import argparse
import json
import platform
import subprocess
import sys
import time

from bench.common import check_database, log, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_exports"
#: No child may run longer than this.
CHILD_TIMEOUT = 600


def vm_hwm_kib() -> int:
    """This process's peak resident set size so far (KiB)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def people_dataset():
    from django import forms
    from django.contrib.auth import get_user_model

    from gdpa.exports.registry import Column, ExportDataset

    class PeopleLimitForm(forms.Form):
        limit = forms.IntegerField(min_value=1, required=False)

    def rows(filters, *, personal: bool):
        form = PeopleLimitForm(filters)
        form.is_valid()
        limit = form.cleaned_data.get("limit")
        queryset = get_user_model().objects.filter(email__endswith="@bench.example.org")
        queryset = queryset.order_by("pk")
        if limit:
            queryset = queryset[:limit]
        fields = [
            "country_of_residence",
            "gender",
            "preferred_language",
            "date_joined",
            "memberships__organization__name",
        ]
        if personal:
            fields += ["full_name", "email"]
        for row in queryset.values_list(*fields).iterator(chunk_size=2000):
            item = {
                "country": row[0],
                "gender": row[1],
                "language": row[2],
                "joined": row[3],
                "organization": row[4],
            }
            if personal:
                item["name"], item["email"] = row[5], row[6]
            yield item

    return ExportDataset(
        key="bench-people",
        label="People",
        columns=(
            Column("country", "Country of residence"),
            Column("gender", "Gender"),
            Column("language", "Language"),
            Column("joined", "Joined (UTC)"),
            Column("organization", "Organization"),
            Column("name", "Name", personal=True),
            Column("email", "E-mail address", personal=True),
        ),
        rows=rows,
        count=lambda filters: 0,
        filter_form=PeopleLimitForm,
    )


class CountingSink:
    def __init__(self):
        self.bytes = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)


def child(database_url: str, rows: int, fmt: str) -> dict:
    setup_django(database_url)
    from django.http import QueryDict

    from gdpa.exports import services, writers
    from gdpa.exports.registry import register_dataset

    ds = people_dataset()
    register_dataset(ds)
    filters = QueryDict(f"limit={rows}")
    headers = services.headers_for(services.columns_for(ds, personal=True))
    before = vm_hwm_kib()
    written = 0
    sink = CountingSink()

    def counted():
        nonlocal written
        for row in services.table_rows(ds, filters, personal=True):
            written += 1
            yield row

    started, cpu_started = time.perf_counter(), time.process_time()
    if fmt == "csv":
        for chunk in writers.csv_chunks(headers, counted()):
            sink.write(chunk)
    else:
        import tempfile

        with tempfile.TemporaryFile() as handle:
            writers.write_xlsx(handle, headers, counted(), title="People")
            sink.bytes = handle.tell()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "format": fmt,
        "rows": written,
        "seconds": round(seconds, 2),
        "rows_per_second": round(written / seconds),
        # This process's own CPU time (PostgreSQL's is not included): on a shared machine
        # the wall-clock rate depends on the other load, this one much less.
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_cpu_second": round(written / cpu_seconds),
        "bytes": sink.bytes,
        "peak_rss_before_mib": round(before / 1024, 1),
        "peak_rss_after_mib": round(vm_hwm_kib() / 1024, 1),
    }


def measure(database_url: str, rows: int, fmt: str) -> dict:
    command = [sys.executable, "-m", "bench.export_people", "--database-url", database_url]
    command += ["--child", "--rows", str(rows), "--format", fmt]
    done = subprocess.run(  # noqa: S603 - our own module, arguments we built
        command,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    check_database(args.database_url)
    if args.child:
        print(json.dumps(child(args.database_url, args.rows[0], args.format)))
        return
    if not args.skip_build:
        from bench.scale import build_members, reset_database

        reset_database(args.database_url)
        setup_django(args.database_url)
        build_members(organizations=args.organizations, people=args.people)
    results = []
    for fmt in args.formats:
        for rows in args.rows:
            result = measure(args.database_url, rows, fmt)
            log(json.dumps(result))
            results.append(result)
    report = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "results": results,
    }
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)


if __name__ == "__main__":
    main()
