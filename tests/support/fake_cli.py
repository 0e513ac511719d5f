"""`python tests/support/fake_cli.py SLEEP_S intermezzo-args...`: the real CLI whose `--fake-phases` stand-ins each
sleep SLEEP_S seconds, so that a test can kill or interrupt a run in the middle of a phase."""

import sys

from intermezzo.cli import main
from intermezzo.experiments.fake import FAKE_PHASES, stand_ins

if __name__ == "__main__":
    FAKE_PHASES.update(stand_ins(sleep_s=float(sys.argv[1])))
    sys.argv = ["intermezzo", *sys.argv[2:]]
    main()
