"""A small app served by an HTTP API (`SERVEY_API=http`): a path parameter, a greedy path, a
created resource with a cookie, a required query parameter and a route that needs a scope."""

from __future__ import annotations

from servey_cdk import WEB_GET, Example, Response, ScopeAccessControl, WebTrigger, action


@action(
    triggers=WebTrigger("GET", "/notes/{note_id}"),
    examples=Example("seventh", {"note_id": 7}, {"note_id": 7, "text": "note 7"}),
)
def get_note(note_id: int) -> dict[str, object]:
    return {"note_id": note_id, "text": f"note {note_id}"}


@action(
    triggers=WebTrigger("GET", "/files/{key+}"),
    examples=Example("nested", {"key": "reports/2026/q4.pdf"}, {"key": "reports/2026/q4.pdf"}),
)
def get_file(key: str) -> dict[str, str]:
    return {"key": key}


@action(
    triggers=WebTrigger("POST", "/notes"),
    examples=Example("hello", {"text": "hello"}, {"note_id": 1, "text": "hello"}),
)
def create_note(text: str) -> Response[dict[str, object]]:
    return Response(
        {"note_id": 1, "text": text},
        status=201,
        headers={"Location": "/notes/1"},
        cookies=("last_note=1; HttpOnly; Secure; SameSite=Lax",),
    )


@action(triggers=WEB_GET, examples=Example("world", {"name": "World"}, "Hello World!"))
def greet(name: str) -> str:
    return f"Hello {name}!"


@action(
    triggers=WEB_GET,
    access_control=ScopeAccessControl("notes:admin"),
    examples=Example("admin", {}, "secret", scopes=("notes:admin",)),
)
def admin_secret() -> str:
    return "secret"
