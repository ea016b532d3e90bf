from django.core.management.base import BaseCommand

from gdpa.retention.registry import rules
from gdpa.retention.services import retention_apply, retention_preview


class Command(BaseCommand):
    help = "Delete what is past its retention period (as the daily task does) and log it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be deleted, rule by rule, and delete nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            for outcome in retention_preview():
                rule = outcome.rule
                if outcome.cutoff is None:
                    self.stdout.write(f"{rule.key}: off (period 0)")
                elif outcome.error:
                    self.stdout.write(f"{rule.key}: would fail ({outcome.error})")
                else:
                    self.stdout.write(
                        f"{rule.key}: {outcome.deleted} would be deleted "
                        f"(older than {outcome.cutoff:%Y-%m-%d %H:%M} UTC, {rule.days} days)"
                    )
            self.stdout.write("Dry run: nothing was deleted.")
            return
        run = retention_apply()
        for entry in run.entries.order_by("rule_key"):
            state = f"failed ({entry.error})" if entry.error else f"{entry.deleted} deleted"
            self.stdout.write(f"{entry.rule_key}: {state}")
        self.stdout.write(f"{run.deleted_total} deleted in all; {len(rules())} rules.")
        if run.failed_rules:
            self.stderr.write(f"{run.failed_rules} rules failed: see the log.")
