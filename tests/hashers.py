"""A cheap Argon2 for the test suite: the same algorithm and hash format as production, with a small
memory and time cost, so signing in takes a millisecond instead of a tenth of a second.

Hashes made with production parameters still verify (the parameters travel inside each hash);
tests/core/test_auth.py checks the production hasher itself.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
