"""A servey-cdk app that uses every feature: the project's living example."""
