"""Pure engine of the ``systemmaps`` capability (no Django).

Modules: ``model`` (factors, links, maps), ``loops`` (feedback loops),
``measures`` (factor measures, sub-maps, leverage), ``actors`` (actor maps),
``trees`` (problem trees), ``scenarios`` (fuzzy-cognitive-map simulation),
``formats`` and ``drawing`` (files in and out). See docs/systemmaps-engine.md.
"""
