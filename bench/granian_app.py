"""The sandbox's application for ``bench/xmlrpc_throughput.py --also granian``: granian imports its application
by name in each worker process, so the data dir comes in the environment."""
import logging
import os

from server.app import create_app
from server.config import from_env

logging.disable(logging.WARNING)
app = create_app(from_env(data_dir=os.environ["BENCH_GRANIAN_DATA_DIR"]))
