"""The benchmark's one-route app on Chalice."""

from chalice import BadRequestError, Chalice

app = Chalice(app_name="hello")


@app.route("/actions/say-hello")
def say_hello() -> str:
    name = (app.current_request.query_params or {}).get("name")
    if name is None:
        raise BadRequestError("name is required")
    return f"Hello {name}!"


handler = app
