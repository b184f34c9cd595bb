"""`pricewatch scheduler`: APScheduler 3 in the foreground; catches up missed runs at start."""
from __future__ import annotations

import logging
import signal
from zoneinfo import ZoneInfo

from pricewatch.runtime import Runtime
from pricewatch.scheduler.jobs import JOBS, execute, local_now, run_due

log = logging.getLogger("pricewatch.scheduler")


def build_scheduler(runtime: Runtime):
    """A BlockingScheduler with one cron job per entry of JOBS, plus a periodic catch-up."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = ZoneInfo(runtime.settings["timezone"])
    sched = runtime.settings["scheduler"]
    scheduler = BlockingScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                             "misfire_grace_time": 3600})
    for job in JOBS:
        def fire(job=job):
            """Run the job for the key due now."""
            execute(runtime, job, job.due_key(local_now(runtime), sched), _utc())

        scheduler.add_job(fire, CronTrigger(timezone=tz, **job.cron(sched)), id=job.id, name=job.id,
                          replace_existing=True)
    scheduler.add_job(poll, IntervalTrigger(seconds=int(sched["poll_seconds"])), args=(runtime,),
                      id="catch_up", name="catch_up", replace_existing=True)
    return scheduler


def poll(runtime: Runtime) -> None:
    """Every poll: run what is due and not yet run anywhere, then send pending e-mail."""
    run_due(runtime)
    from pricewatch.services.mail import deliver_pending

    try:
        with runtime.session_factory() as session:
            sent = deliver_pending(session, runtime.settings)
            session.commit()
    except OSError as exc:  # the mail server is down: the inbox has the messages; retry next poll
        log.warning("mail delivery failed: %s", exc)
        return
    if sent:
        log.info("mail: %d notifications e-mailed", sent)


def _utc():
    """The current UTC time."""
    from pricewatch.db.base import utcnow

    return utcnow()


def run_scheduler(runtime: Runtime, once: bool = False) -> None:
    """Catch up what is due, then (unless `once`) run the cron jobs until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our jobs log what they do
    log.info("scheduler starting (time zone %s)", runtime.settings["timezone"])
    for job_id, message in run_due(runtime).items():
        log.info("catch-up %s: %s", job_id, message or "nothing to do")
    if once:
        return
    scheduler = build_scheduler(runtime)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
