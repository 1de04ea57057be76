"""``python -m sparql_endpoint [--host --port]``: same as ``ia-territoriales serve``."""

import argparse

from sparql_endpoint.cli import add_arguments, run

parser = argparse.ArgumentParser(prog="python -m sparql_endpoint")
add_arguments(parser)
raise SystemExit(run(parser.parse_args()))
