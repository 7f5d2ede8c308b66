#!/usr/bin/env python3
"""Prints where the triage package installs for a prefix, and the rpath
that lets its extension find libtriage from there.

Usage: site_dir.py PREFIX LIBDIR [PLATLIBDIR]

The directory is the entry of this interpreter's sys.path that lies under
PREFIX/lib (so with Debian's /usr/bin/python3 and the default prefix
/usr/local: /usr/local/lib/python3.X/dist-packages, which that interpreter
searches without any environment variable); under another prefix, the
standard PREFIX/lib/python3.X/site-packages, which PYTHONPATH then names.
PLATLIBDIR (meson's python.platlibdir), when given, wins. The rpath is
$ORIGIN-relative (from SITE/triage to PREFIX/LIBDIR), so an install moved as
a whole (DESTDIR, a copied tree) still finds its own library.
"""
import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
libdir = sys.argv[2] if os.path.isabs(sys.argv[2]) else os.path.join(prefix, sys.argv[2])
site = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
if site and not os.path.isabs(site):
    site = os.path.join(prefix, site)
if not site:
    for entry in sys.path:
        if entry.startswith(prefix + "/lib/") and entry.rstrip("/").endswith("-packages"):
            site = entry
            break
if not site:
    site = sysconfig.get_path("platlib", "posix_prefix", vars={"base": prefix, "platbase": prefix})
site = os.path.normpath(site)
rpath = "$ORIGIN/" + os.path.relpath(os.path.normpath(libdir), os.path.join(site, "triage"))
print(site)
print(rpath)
