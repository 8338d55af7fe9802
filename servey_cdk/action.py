"""The `@action` decorator and the frozen `Action` record it attaches to a function."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, overload

from servey_cdk.access_control import AccessControl, AllowAll
from servey_cdk.cache_control import CacheControl, NoCacheControl

if TYPE_CHECKING:
    from servey_cdk.example import Example
    from servey_cdk.idempotency import Idempotency
    from servey_cdk.resources.uses import Use
    from servey_cdk.subscriptions import Subscription
    from servey_cdk.triggers import Trigger

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

ACTION_ATTRIBUTE = "__servey_action__"
TOKEN_ISSUER_ATTRIBUTE = "__servey_issues_tokens__"  # on the function `token_action` makes
DEFAULT_BATCH_SIZE = 100  # parents per call of a batch function, when it names none


@dataclass(frozen=True, eq=False)
class Action:
    """What servey knows of one action. It has no behaviour of its own.

    `batch_size` applies to nested actions resolved by GraphQL: AppSync then sends up
    to that many parent objects to the function in one invocation. A `batch` action is a
    batch function (`servey_cdk.batch`): one call for all those parents, which it takes as a
    list and answers with a list of results in their order. `publishes` names
    the subscriptions the action publishes to: its function gets their queues and grants.
    `puts_events` names the EventBridge buses it puts events to (`servey_cdk.put_event`):
    "default", a bus of the app's own, or an existing bus's ARN; its function may put to those.
    `uses` names the declared resources it uses and how (`orders.read_write()`): its function is
    granted exactly that. `idempotency` makes repeats of a request answer as its first run did.
    """

    fn: Callable[..., Any]
    name: str
    description: str | None
    triggers: tuple[Trigger, ...] = ()
    examples: tuple[Example, ...] = ()
    cache_control: CacheControl = field(default_factory=NoCacheControl)
    access_control: AccessControl = field(default_factory=AllowAll)
    timeout: int | None = None  # None: as `servey_cdk.triggers.web.timeout_of` resolves it
    memory: int = 256
    batch_size: int | None = None
    batch: bool = False
    publishes: tuple[Subscription[Any], ...] = ()
    puts_events: tuple[str, ...] = ()
    uses: tuple[Use, ...] = ()
    idempotency: Idempotency | None = None

    def triggers_of(self, kind: type[T]) -> list[T]:
        """The action's triggers of one kind, in the order declared."""
        return [trigger for trigger in self.triggers if isinstance(trigger, kind)]

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fn)

    @property
    def issues_tokens(self) -> bool:
        """Whether the action signs tokens (its function then needs `kms:Sign`)."""
        return getattr(self.fn, TOKEN_ISSUER_ATTRIBUTE, False) is True

    @property
    def is_generated(self) -> bool:
        """Made by a factory at import time (defined inside another function)."""
        return "<locals>" in self.fn.__qualname__

    @property
    def qualified_name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


@overload
def action(fn: F, /) -> F: ...


@overload
def action(
    *,
    name: str | None = None,
    description: str | None = None,
    triggers: Trigger | tuple[Trigger, ...] = (),
    examples: Example | tuple[Example, ...] = (),
    cache_control: CacheControl | None = None,
    access_control: AccessControl | None = None,
    timeout: int | None = None,
    memory: int = 256,
    batch_size: int | None = None,
    batch: bool = False,
    publishes: Subscription[Any] | tuple[Subscription[Any], ...] = (),
    puts_events: str | tuple[str, ...] = (),
    uses: Use | tuple[Use, ...] = (),
    idempotent: bool | Idempotency = False,
) -> Callable[[F], F]: ...


def action(
    fn: F | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    triggers: Trigger | tuple[Trigger, ...] = (),
    examples: Example | tuple[Example, ...] = (),
    cache_control: CacheControl | None = None,
    access_control: AccessControl | None = None,
    timeout: int | None = None,
    memory: int = 256,
    batch_size: int | None = None,
    batch: bool = False,
    publishes: Subscription[Any] | tuple[Subscription[Any], ...] = (),
    puts_events: str | tuple[str, ...] = (),
    uses: Use | tuple[Use, ...] = (),
    idempotent: bool | Idempotency = False,
) -> F | Callable[[F], F]:
    """Mark a function as an action. The function is returned unchanged.

    Usable bare (`@action`) or with options (`@action(triggers=WEB_GET)`). `timeout`
    is in seconds and `memory` in MB, as Lambda takes them; without a timeout, an action
    API Gateway or AppSync calls gets API Gateway's 29 s, and any other 30 s. `batch=True`
    makes a nested action a batch function (a `staticmethod` of its owner type, decorated
    above it); its `batch_size` is then `DEFAULT_BATCH_SIZE` unless given. `uses` names what it
    uses of the app's resources (`uses=(orders.read_write(), uploads.read())`). `idempotent=True`
    (or an `Idempotency`) runs each request once and answers its repeats from the record kept.
    """

    def record(target: F) -> F:
        # A batch function is a staticmethod of its owner: the record goes on the function it wraps.
        fn = target.__func__ if isinstance(target, staticmethod) else target
        setattr(
            fn,
            ACTION_ATTRIBUTE,
            Action(
                fn=fn,
                name=name or fn.__name__,
                description=description or inspect.getdoc(fn),
                triggers=triggers if isinstance(triggers, tuple) else (triggers,),
                examples=examples if isinstance(examples, tuple) else (examples,),
                cache_control=cache_control or NoCacheControl(),
                access_control=access_control or AllowAll(),
                timeout=timeout,
                memory=memory,
                batch_size=DEFAULT_BATCH_SIZE if batch and batch_size is None else batch_size,
                batch=batch,
                publishes=publishes if isinstance(publishes, tuple) else (publishes,),
                puts_events=(puts_events,) if isinstance(puts_events, str) else puts_events,
                uses=uses if isinstance(uses, tuple) else (uses,),
                idempotency=_idempotency(idempotent),
            ),
        )
        return target

    return record(fn) if fn is not None else record


def _idempotency(idempotent: bool | Idempotency) -> Idempotency | None:
    if idempotent is True:
        from servey_cdk.idempotency import Idempotency

        return Idempotency()
    return idempotent or None


def get_action(obj: object) -> Action | None:
    """The action recorded on a function (or the function a staticmethod wraps), or None."""
    found = getattr(obj.__func__ if isinstance(obj, staticmethod) else obj, ACTION_ATTRIBUTE, None)
    return found if isinstance(found, Action) else None
