"""lint: the driver behind `durable-compile lint`: files, config, suppressions, cache, process pool, fixes."""
