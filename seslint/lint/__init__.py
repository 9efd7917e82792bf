"""The linter: inputs (policy files, templates, plans) in, findings with stable rule ids out."""
