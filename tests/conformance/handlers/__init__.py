"""Handlers for the AWS conformance requirements, one module per suite, one function per requirement.

Written from each requirement's prose description against the AWS SDK's import names, so the same
code runs on AWS's runner and on ours (`load.py` maps the imports). A function named `r<S>_<N>`
is the handler of requirement `S-N`; `TARGETS` in a module lists the functions that handlers
invoke by name.
"""
