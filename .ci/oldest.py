"""Print the oldest Python (``python``) or NumPy (``numpy``) version that setup.cfg allows,
as ``MAJOR.MINOR``, so CI tests exactly the floor the package claims."""
import configparser
import re
import sys
from pathlib import Path

config = configparser.ConfigParser()
config.read(Path(__file__).resolve().parent.parent / "setup.cfg")
if sys.argv[1:] == ["python"]:
    claim = config["options"]["python_requires"]
elif sys.argv[1:] == ["numpy"]:
    claim = next(line for line in config["options"]["install_requires"].split("\n")
                 if line.strip().startswith("numpy"))
else:
    sys.exit("usage: oldest.py python|numpy")
print(re.search(r">=\s*(\d+\.\d+)", claim).group(1))
