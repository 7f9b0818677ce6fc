"""One module per durable operation: each takes the execution state and an identity, and returns the
operation's value from its checkpoint or by running it (AWS SDK's `operation/` layout)."""
