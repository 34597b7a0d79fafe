"""Offline replicas of Vietnamese provincial news sites, served on 127.0.0.1 for tests and demos.

``replica.server.serve(["qbtv", "baohatinh"])`` starts them; ``replica.expected`` gives the record
a correct extractor must produce for each article. See ``replica/README.md``.
"""
