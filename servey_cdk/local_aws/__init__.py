"""The app's declared resources on a local AWS: moto's server on loopback, in this process.

servey-local, `servey run` and the example tests back each declared table, bucket, secret and
parameter with it, so that the action's boto3 code runs unchanged with no AWS account; servey-local
keeps what they hold in its state folder. moto is imported only for an app that declares resources.
"""
