"""IAM knowledge written once: ARNs and partitions, wildcard patterns, policy size, URL-encoded
documents and the set of sending actions. lint, evaluate, generate and audit build on it."""
