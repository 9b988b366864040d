# Python 2.7 imports this module at start-up because run.py puts its folder
# first on PYTHONPATH; CalDAVTester's own files are left untouched.
#
# Why: CalDAVTester's "jsondump" observer serialises every recorded request and
# response, and Python 2's json.dumps assumes byte strings are UTF-8.  A test
# that sends deliberately invalid bytes (CalDAV/nonascii.xml does) would make
# the dump -- and with it every count of the file -- disappear.  Falling back
# to Latin-1, which maps every byte, keeps the results.
import json

_dumps_utf8 = json.dumps


def _dumps_any_bytes(obj, *args, **kwargs):
    try:
        return _dumps_utf8(obj, *args, **kwargs)
    except UnicodeDecodeError:
        kwargs["encoding"] = "latin-1"
        return _dumps_utf8(obj, *args, **kwargs)


json.dumps = _dumps_any_bytes
