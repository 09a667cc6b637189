"""Settings for the benchmark server: Veche's own, with the limits a benchmark that
posts everything from one address and one account must set explicitly. Moderation
checks still run inline on every post (links, duplicates, stop words, trust)."""

from veche.config.settings import *  # noqa: F403

VECHE_POST_RATE = "1000000/60"  # per account
VECHE_POST_RATE_IP = "1000000/60"  # per address
VECHE_NEW_USER_PREMOD_COUNT = 0
ACCOUNT_RATE_LIMITS = False  # 64 benchmark sessions sign in from one address
