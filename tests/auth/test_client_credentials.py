"""OAuth2 client-credentials tokens, fetched over real HTTP from a fake endpoint on loopback."""

from __future__ import annotations

import base64
import socket
import threading

import pytest

from servey_cdk.outbound import (
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
    CircuitStatus,
    ClientCredentialsTokenProvider,
    TokenFetchError,
)

from .conftest import FakeClock, TokenServer

SECRET = "s3cr3t-of-the-client"


def provider(server: TokenServer, clock: FakeClock, **settings: object) -> ClientCredentialsTokenProvider:
    return ClientCredentialsTokenProvider(
        server.url,
        "reports-service",
        SECRET,
        clock=clock,
        timeout_s=2,
        **settings,  # type: ignore[arg-type]
    )


def test_GIVEN_a_token_endpoint_WHEN_a_token_is_asked_for_twice_THEN_it_is_fetched_once_and_reused(
    token_server: TokenServer, clock: FakeClock
) -> None:
    tokens = provider(token_server, clock)

    assert tokens.token() == "token-1"
    assert tokens.token() == "token-1"
    assert len(token_server.requests) == 1


def test_GIVEN_basic_auth_WHEN_fetching_THEN_the_request_is_a_client_credentials_grant_with_basic_credentials(
    token_server: TokenServer, clock: FakeClock
) -> None:
    provider(token_server, clock, scope="reports:read reports:write").token()

    [request] = token_server.requests
    assert request["path"] == "/oauth2/token"
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"grant_type": "client_credentials", "scope": "reports:read reports:write"}
    scheme, _, credentials = request["authorization"].partition(" ")
    assert (scheme, base64.b64decode(credentials).decode()) == ("Basic", f"reports-service:{SECRET}")


def test_GIVEN_credentials_in_body_WHEN_fetching_THEN_they_are_form_fields_and_no_header_is_sent(
    token_server: TokenServer, clock: FakeClock
) -> None:
    provider(token_server, clock, credentials_in_body=True).token()

    [request] = token_server.requests
    assert request["authorization"] is None
    assert request["form"] == {
        "grant_type": "client_credentials",
        "client_id": "reports-service",
        "client_secret": SECRET,
    }


def test_GIVEN_a_cached_token_WHEN_the_refresh_margin_before_expiry_is_reached_THEN_a_new_one_is_fetched(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.expires_in = 10
    tokens = provider(token_server, clock, refresh_margin_s=2)
    assert tokens.token() == "token-1"

    clock.advance(7.9)
    assert tokens.token() == "token-1"
    clock.advance(0.1)
    assert tokens.token() == "token-2"
    assert len(token_server.requests) == 2


@pytest.mark.parametrize("expires_in", [3599, "3599"])
def test_GIVEN_expires_in_as_a_number_or_a_numeric_string_THEN_the_token_is_kept_until_the_margin(
    token_server: TokenServer, clock: FakeClock, expires_in: int | str
) -> None:
    token_server.fixed_answer = {"access_token": "kept", "expires_in": expires_in}
    tokens = provider(token_server, clock, refresh_margin_s=60)
    tokens.token()

    clock.advance(3538.9)
    assert tokens.token() == "kept"
    assert len(token_server.requests) == 1
    clock.advance(0.1)
    tokens.token()
    assert len(token_server.requests) == 2


@pytest.mark.parametrize("expires_in", [0, -5, "soon", None, True])
def test_GIVEN_an_expires_in_that_is_not_a_positive_number_THEN_the_error_quotes_it(
    token_server: TokenServer, clock: FakeClock, expires_in: object
) -> None:
    token_server.fixed_answer = {"access_token": "kept", "expires_in": expires_in}

    with pytest.raises(TokenFetchError, match=f"expires_in must be a positive number, not {expires_in!r}"):
        provider(token_server, clock).token()


def test_GIVEN_a_lifetime_shorter_than_twice_the_margin_THEN_the_token_is_refreshed_halfway(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.expires_in = 20
    tokens = provider(token_server, clock, refresh_margin_s=60)
    tokens.token()

    clock.advance(9.9)
    assert tokens.token() == "token-1"
    clock.advance(0.1)
    assert tokens.token() == "token-2"


def test_GIVEN_many_threads_WHEN_they_ask_at_once_THEN_one_fetch_serves_them_all(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.delay_s = 0.1
    tokens = provider(token_server, clock)
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(tokens.token())) for _ in range(8)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen == ["token-1"] * 8
    assert len(token_server.requests) == 1


def test_GIVEN_a_failing_endpoint_WHEN_fetching_THEN_the_error_names_it_and_its_status_but_not_the_secret(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.status = 500

    with pytest.raises(TokenFetchError) as failed:
        provider(token_server, clock).token()

    message = str(failed.value)
    assert message == f"token endpoint {token_server.url}: answered HTTP 500 (temporarily_unavailable)"
    assert SECRET not in message


def test_GIVEN_nothing_listening_WHEN_fetching_THEN_the_endpoint_is_named_unreachable(
    clock: FakeClock,
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/token"
    tokens = ClientCredentialsTokenProvider(url, "reports-service", SECRET, clock=clock, timeout_s=2)

    with pytest.raises(TokenFetchError, match=rf"token endpoint {url}: unreachable \(.+\)"):
        tokens.token()


def test_GIVEN_an_answer_without_an_access_token_THEN_the_error_says_so(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.fixed_answer = {"token_type": "Bearer"}

    with pytest.raises(TokenFetchError, match="the answer has no access_token"):
        provider(token_server, clock).token()


def test_GIVEN_an_endpoint_that_redirects_THEN_the_credentials_are_not_sent_on_and_the_fetch_fails(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.status = 302

    with pytest.raises(TokenFetchError, match="answered HTTP 302"):
        provider(token_server, clock).token()
    assert len(token_server.requests) == 1


def test_GIVEN_a_url_that_is_not_http_THEN_the_provider_refuses_it() -> None:
    with pytest.raises(ValueError, match="token_url must be an http\\(s\\) URL, not 'file:///etc/passwd'"):
        ClientCredentialsTokenProvider("file:///etc/passwd", "reports-service", SECRET)


def test_GIVEN_repeated_failures_THEN_the_breaker_opens_and_calls_fail_fast_without_reaching_the_endpoint(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.status = 500
    breaker = CircuitBreaker("token endpoint", failure_threshold=3, cooldown_s=30, clock=clock)
    tokens = provider(token_server, clock, breaker=breaker)
    for _ in range(3):
        with pytest.raises(TokenFetchError):
            tokens.token()

    with pytest.raises(CircuitOpen):
        tokens.token()

    assert len(token_server.requests) == 3
    assert breaker.state.status is CircuitStatus.OPEN


def test_GIVEN_an_open_breaker_WHEN_the_cooldown_passes_THEN_one_call_reaches_the_endpoint_and_closes_it(
    token_server: TokenServer, clock: FakeClock
) -> None:
    token_server.status = 500
    breaker = CircuitBreaker("token endpoint", failure_threshold=2, cooldown_s=30, clock=clock)
    tokens = provider(token_server, clock, breaker=breaker)
    for _ in range(2):
        with pytest.raises(TokenFetchError):
            tokens.token()
    token_server.status = 200
    clock.advance(30)

    assert tokens.token() == "token-3"

    assert breaker.state == CircuitState()
