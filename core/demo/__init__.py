"""Demo-only code: the generated legacy BSS databases behind ``hall demo`` and ``hall legacy-demo``.

Nothing a production install runs imports this package: its generators need
Faker, which only the ``demo`` extra installs (``pip install 'hall[demo]'``).
"""
