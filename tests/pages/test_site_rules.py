"""The site's rules, shared by CloudFront and the emulator, and what the build checks of pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from servey_cdk import Redirect, WebPageTrigger, action
from servey_cdk.action import get_action
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.discovery import Registry
from servey_cdk.errors import AppDefinitionError
from servey_cdk.site import api_path_patterns, is_content_hashed, matches_any


@pytest.mark.parametrize(
    "name", ["app.3f9a2c1b.js", "assets/main-0123456789abcdef.css", "font.deadbeef.woff2"]
)
def test_GIVEN_a_name_with_a_content_hash_THEN_it_is_hashed(name: str) -> None:
    assert is_content_hashed(name)


@pytest.mark.parametrize(
    "name", ["app.js", "index.html", "jquery.min.js", "app.3f9a2c.js", "v.3f9a2c1b/app.js"]
)
def test_GIVEN_a_name_without_a_content_hash_THEN_it_is_not(name: str) -> None:
    assert not is_content_hashed(name)


def test_GIVEN_routes_THEN_their_first_segments_go_to_the_api() -> None:
    patterns = api_path_patterns(["/items", "/items/{item_id}", "/actions/say-hello", "/shop"])
    assert patterns == ("/items*", "/actions/*", "/shop*")
    assert matches_any("/items/42", patterns)
    assert not matches_any("/static/app.js", patterns)


@action(triggers=WebPageTrigger(path="/old"))
def moved_page() -> Redirect:
    return Redirect("/new")


def test_GIVEN_a_page_that_only_redirects_WHEN_built_THEN_it_needs_no_template(tmp_path: Path) -> None:
    found = get_action(moved_page)
    assert found is not None
    spec = build_spec(Registry(module="t", root=tmp_path, actions=(found,)))
    assert [page.path for page in spec.pages] == ["/old"]


def test_GIVEN_an_spa_fallback_that_is_not_a_file_WHEN_built_THEN_the_problem_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "index.html").write_text("<p>hi</p>")
    monkeypatch.setenv("SERVEY_SPA_FALLBACK", "app.html")
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(Registry(module="t", root=tmp_path, actions=()), BuildSettings.from_environment())
    assert raised.value.problems == [f"SERVEY_SPA_FALLBACK='app.html': no such file in {tmp_path / 'static'}"]


def test_GIVEN_an_spa_fallback_of_true_WHEN_built_THEN_it_is_index_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "index.html").write_text("<p>hi</p>")
    monkeypatch.setenv("SERVEY_SPA_FALLBACK", "true")
    spec = build_spec(Registry(module="t", root=tmp_path, actions=()), BuildSettings.from_environment())
    assert spec.static is not None
    assert spec.static.spa_fallback == "index.html"
