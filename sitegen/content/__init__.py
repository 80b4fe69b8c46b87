"""What the editors write, understood: files with their lines, declarative fields, the kinds of content,
validation, the model, each language's view."""
