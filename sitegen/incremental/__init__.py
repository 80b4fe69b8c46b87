"""The fast path, behind one interface (Reuse): what the last build may lend this one, what pages read, the
on-disk cache, memory, parallel workers. Only the pipeline imports it."""
