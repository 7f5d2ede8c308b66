#!/usr/bin/env python3
"""Every path the repository mentions names a file that is in the repository.

The docs, comments, build files and scripts point readers to other files:
`docs/storage.md`, `src/engine/txn.c`, `tests/unit/engine/test_engine.c`,
`examples/scenarios/north-savo.scn`, a markdown link to a sibling page. A
reference to a file that is not in the repository sends the reader nowhere,
so this script lists each one with its file and line.

What is read: every file git tracks (or, outside a git checkout, every file
under the root but the build folders) whose name ends in one of
TEXT_SUFFIXES, and every file without a suffix that is text (UTF-8, no NUL).

What counts as a reference, and where it is looked for:

* a markdown link or link definition, `[text](target)` or `[text]: target`:
  relative to the linking file's folder (`/` at the start: the root);
* a path with a slash whose first part is a top-level entry of the
  repository (`src/...`, `docs/...`, `.ci/...`) or a folder next to the
  mentioning file (`files('base/alloc.c')` in src/meson.build): relative to
  the root and to the mentioning file's folder; one that starts with ./ or
  ../ : relative to the mentioning file's folder;
* an `#include` or `%include` of `triage/...` or of a layer's header
  (`engine/engine_internal.h`): in include/ and src/, as the compiler looks;
  any other `triage/...`: a public header in include/ or the Python package
  in bindings/python/;
* a bare document name (`README.md`, `storage.md`) or version script
  (`libtriage.map`): next to the mentioning file, at the root, or anywhere in
  the repository (prose often names a page without its folder).

What is not a reference: URLs (any `scheme://...`), absolute paths (`/usr/...`),
build outputs (paths under a `build*` folder, meson's `*.p/` object folders,
objects and libraries), patterns (`docs/*.md`, `tests/unit/<layer>/`), and the
generated files in GENERATED, each named with the file it is generated from
(which must exist).

    check_refs.py ROOT          check the repository at ROOT
    check_refs.py --self-test   show on a temporary repository that a missing
                                reference is caught and a good one is not
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

TEXT_SUFFIXES = {".c", ".h", ".i", ".py", ".md", ".txt", ".build", ".sh", ".scn", ".map", ".in"}

# Files the build generates, by path in the source tree, with the tracked
# file each is made from (and by what). A reference to one is good when its
# source exists.
GENERATED = {
    "include/triage/version.h": ("include/triage/version.h.in",
                                 "configure_file in include/triage/meson.build"),
    "docs/Doxyfile": ("docs/Doxyfile.in", "configure_file in docs/meson.build"),
    "bindings/python/triage/_lowlevel.py": ("bindings/python/triage.i",
                                            "swig in bindings/python/triage/meson.build"),
}

# Where the compiler finds a layer's headers and the public ones.
INCLUDE_ROOTS = ["include", "src"]
LAYERS = {"base", "rules", "engine", "assign", "store", "sim"}
# Where `triage/...` lives when a text names it: the public headers
# (triage/engine.h) and the Python package (triage/_store.py).
PACKAGE_ROOTS = ["include", "bindings/python"]

# Bare names (no folder) checked: documents and version scripts. Bare .c, .h,
# .py and .scn names are too often the reader's own file, a system header or
# a file a test writes (t.scn).
BARE_SUFFIXES = (".md", ".map")

URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s)>\]\"'`]*")
MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MD_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
INCLUDE = re.compile(r'^\s*[#%]\s*(?:include|import)\s*[<"]([^>"]+)[>"]')
# a path: parts of word characters, dots, plus and minus joined by slashes;
# not inside a longer path, a URL remnant, a variable or a glob
PATH = re.compile(r"(?<![\w./@$%{}*~\\-])("
                  r"(?:\.\.?/)+[\w.+-]+(?:/[\w.+-]+)*/?"      # relative: ./ or ../ first
                  r"|\.?[\w+-][\w.+-]*(?:/[\w.+-]+)+/?"       # a/b, .ci/run
                  r"|\.?[\w+-][\w.+-]*/)")                   # a folder: src/
BARE = re.compile(r"(?<![\w./@$%{}*~\\-])([\w+-][\w.+-]*(?:" +
                  "|".join(re.escape(s) for s in BARE_SUFFIXES) + r"))(?![\w/-])")
PATTERN_NEXT = set("*<{$%@[?")
BUILD_OUTPUT = re.compile(r"(^|/)build[\w.-]*(/|$)|\.p(/|$)|\.(o|a|so|pyc)$|\.so\.\d|__pycache__")


def tracked_files(root):
    """Paths (relative, with /) of the files in the repository at root."""
    if shutil.which("git"):
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True)
        if out.returncode == 0:
            return sorted(p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0")
                          if p and os.path.isfile(os.path.join(root, p)))
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs
                         if x != ".git" and not x.startswith("build") and x != "__pycache__")
        for n in sorted(names):
            files.append(os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/"))
    return files


def read_text(root, rel):
    """The file's text when it is one we scan, else None."""
    suffix = os.path.splitext(rel)[1]
    if suffix and suffix not in TEXT_SUFFIXES:
        return None
    try:
        with open(os.path.join(root, rel), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class Repo:
    def __init__(self, root, files):
        self.root = root
        self.files = set(files)
        self.dirs = set()
        for f in files:
            parts = f.split("/")
            for i in range(1, len(parts)):
                self.dirs.add("/".join(parts[:i]))
        self.top = {f.split("/")[0] for f in files}
        self.basenames = {f.rsplit("/", 1)[-1] for f in files}

    def exists(self, rel):
        rel = rel.rstrip("/")
        if rel in ("", "."):
            return True
        if rel in self.files or rel in self.dirs:
            return True
        gen = GENERATED.get(rel)
        return bool(gen and gen[0] in self.files)


def normalize(folder, target):
    """target relative to folder (both repository-relative), or None if it
    leaves the repository."""
    path = os.path.normpath(os.path.join(folder, target)).replace(os.sep, "/")
    if path == ".." or path.startswith("../"):
        return None
    return "." if path == "" else path


def markdown_target(target):
    """The file part of a link target, or None when it is not a local file."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith("#"):
        return None  # a URL, mailto:, an anchor in the same page
    target = target.split("#", 1)[0].split("?", 1)[0]
    return target or None


def refs_in_line(repo, rel, line, is_md, is_c):
    """[(reference as written, resolved candidates)] of one line."""
    folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
    found = []
    text = URL.sub(lambda m: " " * len(m.group(0)), line)

    if is_md:
        targets = [m.group(1) for m in MD_LINK.finditer(text)]
        m = MD_DEF.match(text)
        if m:
            targets.append(m.group(1))
        for t in targets:
            f = markdown_target(t)
            if f is None:
                continue
            base = "" if f.startswith("/") else folder
            found.append((t, [normalize(base, f.lstrip("/"))]))

    if is_c:
        m = INCLUDE.match(text)
        if m:
            inc = m.group(1)
            first = inc.split("/")[0]
            if "/" in inc and (first == "triage" or first in LAYERS):
                found.append((inc, [normalize(r, inc) for r in INCLUDE_ROOTS]))
            text = text[:m.start(1)] + " " * len(inc) + text[m.end(1):]

    for m in PATH.finditer(text):
        tok = m.group(1)
        nxt = text[m.end(1):m.end(1) + 1]
        if nxt in PATTERN_NEXT:
            continue
        if not tok.endswith("/.."):
            tok = tok.rstrip(".")  # the end of a sentence
        if not tok or BUILD_OUTPUT.search(tok):
            continue
        if tok.startswith(("./", "../")):
            found.append((tok, [normalize(folder, tok), normalize("", tok)]))
            continue
        first = tok.split("/")[0]
        if first == "triage":  # a public header or the Python package
            found.append((tok, [normalize(r, tok) for r in PACKAGE_ROOTS]))
            continue
        beside = normalize(folder, first)
        if first in repo.top or (beside and beside in repo.dirs):
            found.append((tok, [normalize("", tok), normalize(folder, tok)]))

    for m in BARE.finditer(text):
        name = m.group(1)
        if name.startswith("."):
            continue
        if name in repo.basenames:
            continue  # somewhere in the repository
        found.append((name, [normalize(folder, name), normalize("", name)]))
    return found


def check(root):
    """[(file, line number, reference)] of every reference to a missing file."""
    files = tracked_files(root)
    repo = Repo(root, files)
    problems = []
    for rel in files:
        text = read_text(root, rel)
        if text is None:
            continue
        is_md = rel.endswith(".md")
        is_c = rel.endswith((".c", ".h", ".i"))
        for n, line in enumerate(text.splitlines(), 1):
            seen = set()
            for ref, candidates in refs_in_line(repo, rel, line, is_md, is_c):
                if ref in seen:
                    continue
                seen.add(ref)
                if not any(c and repo.exists(c) for c in candidates):
                    problems.append((rel, n, ref))
    return problems


def generator_problems(root):
    files = set(tracked_files(root))
    return [f"check_refs.py: GENERATED names {src} as the source of {gen}, "
            f"but it is not in the repository"
            for gen, (src, _how) in sorted(GENERATED.items()) if src not in files]


def self_test():
    """A temporary repository with good and bad references: exactly the bad
    ones are reported, each at its file and line.

    The fixture spells every path that would be missing from this repository
    in pieces (J(...), "name" + ".md"), so that this file itself names no
    missing file; paths under pages/ and lib/ are safe as they are, since this
    repository has no such top-level folder."""
    def J(*parts):
        return "/".join(parts)
    up = ".." + "/"
    a_c, a_h = J("src", "engine", "a.c"), J("src", "engine", "a.h")
    missing_md = "nowhere" + ".md"
    missing_bare = "NOWHERE" + ".md"
    missing_c = J("src", "engine", "missing" + ".c")
    missing_h = J("engine", "nothere" + ".h")
    good = {
        "README.md": f"# t\n\nSee [the guide](pages/storage.md) and `{a_c}`.\n",
        "pages/storage.md": (f"Back to [the top]({up}README.md), on to [next](process.md#part).\n"
                             "The law: https://www.finlex.fi/fi/laki/ajantasa/2014/20141301\n"
                             "Build outputs: build/src/libt.so, src/libt.a.p/engine_a.c.o.\n"
                             "Generated: include/triage/version.h. Patterns: docs/*.md, "
                             "tests/unit/<layer>/.\n"
                             "Absolute: /usr/bin/python3; not a path: and/or, 1/2.\n"),
        "pages/process.md": "[up](/README.md), the scripts: lib/run\n",
        "include/triage/version.h.in": "#define V @VERSION@\n",
        "include/triage/common.h": "/* the public header */\n",
        a_c: '#include "engine/a.h"\n#include <triage/version.h>\n#include <stdio.h>\n',
        a_h: "/* see pages/storage.md */\n",
        J("src", "meson.build"): "files('engine/a.c')\n",
        "lib/run": f"#!/bin/sh\nexec {a_c}\n",
    }
    bad = {
        "pages/bad.md": ("ok line\n"
                         f"[gone]({missing_md})\n"
                         f"see {missing_c} and {missing_bare}\n"),
        J("src", "engine", "b.c"): f'/* ok */\n#include "{missing_h}"\n',
        "lib/tool": f"#!/bin/sh\ncat {up}{missing_md}\n",
    }
    expected = {
        ("pages/bad.md", 2, missing_md),
        ("pages/bad.md", 3, missing_c),
        ("pages/bad.md", 3, missing_bare),
        (J("src", "engine", "b.c"), 2, missing_h),
        ("lib/tool", 2, up + missing_md),
    }
    git = shutil.which("git")
    with tempfile.TemporaryDirectory() as d:
        def write(files):
            for rel, text in files.items():
                path = os.path.join(d, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            if git:
                subprocess.run([git, "-C", d, "add", "-A"], check=True)
        if git:
            subprocess.run([git, "init", "-q", d], check=True)
        write(good)
        # a binary file holding a path is not read
        with open(os.path.join(d, "blob"), "wb") as f:
            f.write(b"\0" + missing_c.encode())
        write({})
        clean = check(d)
        assert clean == [], f"good references reported: {clean}"
        write(bad)
        got = set(check(d))
        assert got == expected, f"expected {sorted(expected)}, got {sorted(got)}"
        if git:
            # a file git does not track is not part of the repository
            stray = os.path.join(d, "stray" + ".md")
            with open(stray, "w", encoding="utf-8") as f:
                f.write(f"[x]({missing_md})\n")
            assert set(check(d)) == expected, "an untracked file was read"
            os.remove(stray)
        # a generated file whose source is gone is missing too
        os.remove(os.path.join(d, "include", "triage", "version.h.in"))
        write({})
        got = set(check(d))
        assert ("pages/storage.md", 4, "include/triage/version.h") in got, got
        assert (a_c, 2, "triage/version.h") in got, got
    print("check_refs self-test: missing files are reported with file:line; good references, "
          "URLs, build outputs, patterns and generated files are not")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    problems = generator_problems(root)
    for p in problems:
        print(p)
    refs = check(root)
    for rel, n, ref in refs:
        print(f"{rel}:{n}: {ref}: no such file in the repository")
    total = len(problems) + len(refs)
    if total:
        print(f"check_refs: {total} reference(s) to missing files")
        return 1
    print("check_refs: every referenced file is in the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
