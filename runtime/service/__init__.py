"""The local stand-in for the AWS durable execution service: applies checkpoints, keeps the history,
fires timers, completes callbacks and chained invokes, and drives invocations until an execution settles."""
