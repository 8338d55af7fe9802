"""Access control: the authorization is injected from the verified token, never from input."""

from servey_cdk import WEB_GET, Authorization, ScopeAccessControl, action


@action(triggers=WEB_GET)
def echo_authorization(authorization: Authorization | None) -> Authorization | None:
    """The caller's authorization, as the runtime verified it (null when anonymous)."""
    return authorization


@action(triggers=WEB_GET, access_control=ScopeAccessControl(execute_scope="root"))
def only_for_root() -> str:
    """Only callers holding the `root` scope may run this."""
    return "Some Secret Data!"
