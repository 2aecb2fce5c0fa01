"""Demo and load-test data: synthetic yearly figures (synth.py) and the demo night (night.py).

Never part of the nightly run: they write labelled synthetic inputs and drive the real flow.
"""
