"""What the readers get: the page plan and its URLs, rendering, figures and dates in words, charts, JSON-LD,
articles."""
