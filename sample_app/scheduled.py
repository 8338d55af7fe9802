"""Schedules: a fixed rate, and a cron expression in a time zone."""

import logging

from servey_cdk import FixedRateTrigger, ScheduleTrigger, action

log = logging.getLogger(__name__)
TICKS: list[str] = []


@action(triggers=FixedRateTrigger(300))
def tick() -> int:
    """Runs every five minutes; counts its runs."""
    TICKS.append("tick")
    return len(TICKS)


@action(triggers=ScheduleTrigger(cron="0 6 * * ? *", timezone="Europe/Paris"))
def nightly_report() -> str:
    """Runs at 06:00 Paris time every day."""
    log.info("nightly report")
    return "report done"
