"""Calling other services: OAuth2 client-credentials tokens behind a circuit breaker."""

from servey_cdk.outbound.circuit_breaker import (
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
    CircuitStateStore,
    CircuitStatus,
    InMemoryCircuitStateStore,
)
from servey_cdk.outbound.client_credentials import ClientCredentialsTokenProvider, TokenFetchError
from servey_cdk.outbound.dynamodb_circuit_state import DynamoDBCircuitStateStore

__all__ = [
    "CircuitBreaker",
    "CircuitOpen",
    "CircuitState",
    "CircuitStateStore",
    "CircuitStatus",
    "ClientCredentialsTokenProvider",
    "DynamoDBCircuitStateStore",
    "InMemoryCircuitStateStore",
    "TokenFetchError",
]
