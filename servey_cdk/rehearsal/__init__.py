"""`servey rehearse`: run what `cdk synth` ships, on this machine, before it ships."""

from servey_cdk.rehearsal.rehearsal import Login, Outcome, Report, rehearse

__all__ = ["Login", "Outcome", "Report", "rehearse"]
