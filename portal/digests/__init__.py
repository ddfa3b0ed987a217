"""Daily and weekly e-mail digests: subscriptions, composing, exactly-once delivery.

Modules: ``models`` (tables, also the scheduler's run log), ``schedule`` (periods and due
times, pure), ``subscriptions`` (validation, tokens), ``compose`` (what goes into a digest and
how it is rendered), ``send`` (claiming, SMTP, retries), ``views`` (settings page,
unsubscribe, the admin jobs page) and ``cli``. This package never starts a scheduler.
"""
