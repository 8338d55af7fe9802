"""The app's subscriptions: typed channels that websocket clients can subscribe to."""

from servey_cdk import subscription

messager = subscription(str, "messager")
