"""Benchmark: what rendering each PDF in a memory-limited child process costs.

``gdpa.pdf.render_pdf`` forks a child per PDF and limits its address space
(``PDF_MEMORY_LIMIT_MB``). This script renders the same HTML both ways, alternating, and
prints the median wall time of each and the difference:

- in this process: ``layout(html)`` and ``write_pdf()``, as before the limit;
- in a child: ``render_in_child(html)``, as every worker and ``make run`` now do.

Wall time on a shared machine moves with the other processes' load, so it also prints the
CPU time (user + system, this process and its children): the cost that does not depend on
the neighbours.

Three documents: an almost empty page (what is left is the fork, the pipe and the exit),
the real certificate template (an unsaved certificate, no database) and a 60-page report
of headings, paragraphs and tables. It also prints the peak RSS of the children (``RUSAGE_CHILDREN``) next to this
process's RSS: what a render adds is the difference.

    .venv/bin/python -m bench.pdf_memory_limit [--rounds 7] [--documents empty,certificate]
        [--json out.json]

Needs no database, broker or network.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import time
from datetime import date

from bench.common import setup_django


def certificate_html() -> str:
    from django.template.loader import render_to_string
    from django.utils import translation

    from trainings.certificates import certificate_context
    from trainings.models import Certificate

    certificate = Certificate(
        pk=1,
        learner_name="Amelia Tuilagi-Fernández",
        programme_title="Diaspora engagement in national development planning",
        offering_title="Pacific cohort, spring 2027",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 4, 26),
        hours=24,
    )
    with translation.override("en"):
        return render_to_string("trainings/certificate.html", certificate_context(certificate))


def report_html(sections: int = 5, items: int = 30) -> str:
    """60 A4 pages: headings, three paragraphs and a small table per item."""
    paragraph = (
        "<p>Diaspora organizations and member states agree that remittance costs, skills "
        "recognition and investment in the countries of origin need joint action. This "
        "paragraph stands for the recommendation's text, rationale and inputs.</p>"
    )
    rows = "".join(
        f"<tr><td>State {n}</td><td>endorsed</td><td>2027-0{n}-01</td></tr>" for n in range(1, 7)
    )
    body = []
    for s in range(sections):
        body.append(f"<h1>Sector {s + 1}</h1>")
        for i in range(items):
            body.append(f"<h2>Recommendation {s + 1}.{i + 1}</h2>" + paragraph * 3)
            body.append(f"<table><tbody>{rows}</tbody></table>")
    return (
        "<html><head><style>@page { size: A4; margin: 2cm } "
        "body { font-family: 'DejaVu Sans'; font-size: 10pt } "
        "table { border-collapse: collapse } td { border: 1px solid #999; padding: 2pt }"
        "</style></head><body>" + "".join(body) + "</body></html>"
    )


def in_process(html: str, base_url: str):
    from gdpa.pdf import layout

    document = layout(html, base_url=base_url)
    return document.write_pdf(), len(document.pages)


def in_child(html: str, base_url: str):
    from django.conf import settings

    from gdpa.pdf import render_in_child

    rendered = render_in_child(
        html, base_url=base_url, options={}, limit_mb=settings.PDF_MEMORY_LIMIT_MB
    )
    return rendered.content, rendered.pages


def cpu_seconds() -> float:
    """User and system CPU time of this process and its finished children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(name: str, html: str, rounds: int) -> dict:
    from django.conf import settings

    base_url = settings.SITE_URL
    in_process(html, base_url)  # warm the font caches both ways use
    wall = {"in_process": [], "in_child": []}
    cpu = {"in_process": [], "in_child": []}
    for _ in range(rounds):
        for way, render in (("in_process", in_process), ("in_child", in_child)):
            start, start_cpu = time.perf_counter(), cpu_seconds()
            pdf, pages = render(html, base_url)
            wall[way].append(time.perf_counter() - start)
            cpu[way].append(cpu_seconds() - start_cpu)
    result = {"document": name, "pages": pages, "pdf_kB": round(len(pdf) / 1024, 1)}
    for kind, times in (("wall", wall), ("cpu", cpu)):
        inside, child = statistics.median(times["in_process"]), statistics.median(times["in_child"])
        result |= {
            f"{kind}_in_process_s": round(inside, 3),
            f"{kind}_in_child_s": round(child, 3),
            f"{kind}_overhead_ms": round((child - inside) * 1000),
            f"{kind}_overhead_pct": round((child - inside) / inside * 100, 1),
        }
    result |= {
        "children_peak_rss_MB": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
        "this_process_rss_MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--documents", default="empty,certificate,report")
    parser.add_argument("--json")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdpa.settings.local")
    setup_django()
    from django.conf import settings

    documents = {
        "empty": lambda: measure("empty page", "<p>.</p>", args.rounds * 3),
        "certificate": lambda: measure("certificate", certificate_html(), args.rounds),
        "report": lambda: measure("report", report_html(), max(1, args.rounds // 2)),
    }
    results = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "limit_mb": settings.PDF_MEMORY_LIMIT_MB,
        "documents": [documents[name]() for name in args.documents.split(",")],
    }
    results["load_average_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
