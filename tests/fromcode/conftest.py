"""The corpus folder holds third-party snippets that test_corpus.py scores; they are never collected."""

collect_ignore_glob = ["corpus/*"]
