"""Object events, as the S3 plug-in routes them: records each event of a CSV file under `incoming/`."""

from servey_cdk import S3Trigger, action

RECEIVED: list[str] = []


@action(triggers=S3Trigger("uploads", events=("created", "removed"), prefix="incoming/", suffix=".csv"))
def on_upload(bucket: str, key: str, event: str, size: int | None = None) -> str:
    """Records each object event it is sent."""
    RECEIVED.append(f"{event} s3://{bucket}/{key}")
    return RECEIVED[-1]
