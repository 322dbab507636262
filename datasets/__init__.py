"""Dataset manifests (and the demo corpus), installed with lf as the package ``lf._datasets``.

Nothing to import here: ``lf.manifest`` reads the ``<name>/manifest.json`` files beside this one.
"""
