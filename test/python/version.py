"""Print the version of the filelock this interpreter imports."""
import filelock

print(filelock.__version__, flush=True)
