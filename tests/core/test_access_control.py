"""The one 401-or-403 decision every entry point makes, and the type hints it reads."""

from __future__ import annotations

import pytest

from servey_cdk import AllowNone, Authorization, ScopeAccessControl
from servey_cdk.access_control import AllowAll, check_access
from servey_cdk.annotations import unwrap_optional
from servey_cdk.errors import Forbidden, Unauthorized
from servey_cdk.signature import is_authorization_type

READER = Authorization(subject_id="u1", scopes=frozenset({"read"}))


def test_GIVEN_no_authorization_WHEN_a_token_is_needed_THEN_401_names_what_and_what_it_needs() -> None:
    with pytest.raises(Unauthorized, match=r"^action 'x' needs a valid token$"):
        check_access(ScopeAccessControl("read"), None, "action 'x'")
    with pytest.raises(Unauthorized, match=r"^subscription 'y' needs a token on \$connect$"):
        check_access(AllowNone(), None, "subscription 'y'", "a token on $connect")


def test_GIVEN_an_authorization_without_the_scope_THEN_403_and_with_it_THEN_passes() -> None:
    with pytest.raises(Forbidden, match=r"^the token does not allow action 'x'$"):
        check_access(ScopeAccessControl("write"), READER, "action 'x'")
    check_access(ScopeAccessControl("read"), READER, "action 'x'")
    check_access(AllowAll(), None, "action 'x'")


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (int | None, (int, True)),
        (int | str | None, (int | str, True)),
        (int | str, (int | str, False)),
        (list[int], (list[int], False)),
        (None | Authorization, (Authorization, True)),
    ],
)
def test_GIVEN_an_annotation_WHEN_unwrapped_THEN_optional_is_taken_off_once(
    annotation: object, expected: tuple[object, bool]
) -> None:
    inner, optional = unwrap_optional(annotation)
    assert (inner == expected[0], optional) == (True, expected[1])


def test_GIVEN_authorization_types_THEN_only_it_and_its_optional_are_recognised() -> None:
    assert is_authorization_type(Authorization)
    assert is_authorization_type(Authorization | None)
    assert not is_authorization_type(Authorization | str)
