"""The files of the dashboard and the rollup: what they cover (``scope``), and the job
that writes those too large to write while the page waits (``build``)."""
