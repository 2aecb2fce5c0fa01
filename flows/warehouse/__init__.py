"""The warehouse's files and their lifecycle, owned in one place.

layout.py      where every file of a warehouse lives (build file, WAL, staged copies, history,
               report, GX run state, docs, the run records): one object
db.py          the one DuckDB opener (memory cap, read-only mode) and small helpers on a connection
lock.py        one build at a time
health.py      is a warehouse file whole?
publish.py     atomic publication, history and rollback
diskspace.py   a full disk: recognise it and remove the build's leftovers
build_info.py  which raw schema a file was built with (a stamp in the file)
build_digest.py what a dbt build was made from (a stamp in the file)
"""
