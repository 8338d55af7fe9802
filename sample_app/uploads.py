"""Object events: CSV files uploaded under `incoming/` of the uploads bucket run `on_upload`, which
counts their rows; `upload_csv` puts one there."""

from servey_cdk import WEB_POST, Bucket, S3Trigger, action

uploads = Bucket("uploads")


@action(triggers=WEB_POST, uses=uploads.write())
def upload_csv(name: str, rows: list[str]) -> str:
    """Put a CSV file into `incoming/`, where its upload runs `on_upload`; its key."""
    key = f"incoming/{name}.csv"
    uploads.bucket.put_object(Key=key, Body="\n".join(rows).encode(), ContentType="text/csv")
    return key


@action(
    triggers=S3Trigger(uploads, events=("created", "removed"), prefix="incoming/", suffix=".csv"),
    uses=uploads.read(),
)
def on_upload(bucket: str, key: str, event: str, size: int | None = None) -> str:
    """What it was sent: the event, the object and, for a new one, its rows."""
    if event != "created":
        return f"{event} s3://{bucket}/{key}"
    try:
        body = uploads.client.get_object(Bucket=uploads.bucket_name, Key=key)["Body"].read()
    except uploads.client.exceptions.NoSuchKey:  # removed before its notification came
        return f"{event} s3://{bucket}/{key} (gone)"
    return f"{event} s3://{bucket}/{key} ({len(body.splitlines())} rows)"
