"""The code that runs inside Lambda: `handler.handler` and one adapter per event source.

Nothing here imports aws_cdk, starlette, graphql or jinja2 when the handler is
imported; the page adapter imports jinja2 when it first renders.
"""
