"""Running past one machine: scheduler leadership in the database and work claimed in batches.

* :mod:`portal.cluster.leader`: on PostgreSQL, the scheduler runs in the one ``coi worker`` that
  holds a session-level advisory lock on its own connection; the others wait and take over when
  that connection ends (process killed, machine gone: TCP keepalives end it within a minute).
  SQLite keeps the lock file of :mod:`portal.jobs`.
* :mod:`portal.cluster.claims`: tagging claimed in batches by any number of workers with
  ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease in ``work_claims``; jobs that must not run
  twice (a collection of one source) claimed in ``job_claims``.

Does not schedule anything itself (see :mod:`portal.jobs`) nor tag (see :mod:`nlp`).
"""
