"""``python -m splice`` is the ``splice`` command."""

import sys

from splice import isolate_sys_path

isolate_sys_path()  # before anything else is imported: ``-m`` put the working directory (a workspace) on the path

from splice.cli import main  # noqa: E402

sys.exit(main())
