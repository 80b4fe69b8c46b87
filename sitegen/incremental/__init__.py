"""Reuse between builds, at two seams only: parsed content by the digest of its text (the loader's memo), and every
output by the digests of what it read (site.reads). A full build is the same path with an empty cache; only the
pipeline imports this package."""
