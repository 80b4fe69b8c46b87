"""Files on disk: the downloads, fingerprints, feeds and sitemap, the link check, writing and swapping the site in
whole."""
