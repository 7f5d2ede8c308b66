#!/usr/bin/env python3
"""The layers of src/ and the direction of their dependencies.

src/ has one folder per layer, lowest first:

    base -> rules -> engine -> assign -> store -> sim

A source file may include internal headers and call functions of its own
layer and of the layers below it, never of a layer above. This script checks
both graphs:

* includes: every `#include "layer/..."` in src/ (read from the sources);
* calls: every function an object file of the library uses and another of its
  object files defines (read with `nm` from the objects of the built library,
  so calls through macros and inline helpers count too).

It also reports circles between source files in the call graph.

    check_layers.py SRC_DIR OBJECT|ARCHIVE...   check the library
    check_layers.py --self-test             show that an upward include and an
                                            upward call are caught
"""
import os
import re
import subprocess
import sys
import tempfile

LAYERS = ["base", "rules", "engine", "assign", "store", "sim"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def layer_of_path(path):
    parts = os.path.normpath(path).split(os.sep)
    for p in reversed(parts[:-1]):
        if p in RANK:
            return p
    return None


def include_problems(src_dir):
    problems = []
    for root, _dirs, files in os.walk(src_dir):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            mine = layer_of_path(os.path.relpath(path, src_dir))
            if mine is None:
                problems.append(f"{path}: not inside a layer folder ({', '.join(LAYERS)})")
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                other = m.group(1)
                if other == "triage":
                    continue  # the public headers (include/triage) belong to no layer
                if other not in RANK:
                    problems.append(f"{path}: includes from unknown folder '{other}'")
                elif RANK[other] > RANK[mine]:
                    problems.append(f"{path}: {mine} includes {m.group(0).strip()!r} "
                                    f"from the higher layer {other}")
    return problems


def nm_members(path, flags):
    """{member name: set of symbols} from nm on an object file or an archive."""
    out = subprocess.run(["nm", *flags, path], check=True, capture_output=True,
                         text=True).stdout
    members, current = {}, os.path.basename(path)
    for line in out.splitlines():
        if not line.strip():
            continue
        if line.endswith(":") and len(line.split()) == 1:
            current = line[:-1]  # an archive member's header
            members.setdefault(current, set())
            continue
        members.setdefault(current, set()).add(line.split()[-1])
    return members


def objects_of(paths):
    """[(member name, defined symbols, used symbols)] for objects and archives."""
    result = []
    for path in paths:
        defined = nm_members(path, ["--defined-only", "-g"])
        used = nm_members(path, ["--undefined-only"])
        for name in sorted(set(defined) | set(used)):
            result.append((name, defined.get(name, set()), used.get(name, set())))
    return result


def object_layer(obj):
    # meson names objects like src/libtriage_internal.a.p/engine_case.c.o
    base = os.path.basename(obj)
    for name in LAYERS:
        if base.startswith(name + "_"):
            return name, base[len(name) + 1:][:-len(".o")]
    return None, base


def call_problems(objects):
    problems = []
    owner = {}
    info = {}
    for obj, defined, used in objects_of(objects):
        layer, name = object_layer(obj)
        if layer is None:
            problems.append(f"{obj}: cannot tell its layer from its name")
            continue
        info[obj] = (layer, name, used)
        for s in defined:
            owner[s] = (layer, name)
    edges = {}
    for obj, (layer, name, used) in info.items():
        for s in sorted(used):
            if s not in owner:
                continue
            olayer, oname = owner[s]
            if (olayer, oname) == (layer, name):
                continue
            edges.setdefault(f"{layer}/{name}", set()).add(f"{olayer}/{oname}")
            if RANK[olayer] > RANK[layer]:
                problems.append(f"{layer}/{name} calls {s} of the higher layer {olayer}/{oname}")
    problems += circles(edges)
    return problems


def circles(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append("a circle of calls between " + ", ".join(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def self_test():
    """An upward include, an upward call and a circle must each be reported."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "src")
        for layer in ("base", "engine", "assign"):
            os.makedirs(os.path.join(src, layer))
        with open(os.path.join(src, "assign", "a.h"), "w") as f:
            f.write("int triage__a(void);\n")
        with open(os.path.join(src, "base", "b.h"), "w") as f:
            f.write("int triage__b(void);\n")
        with open(os.path.join(src, "base", "b.c"), "w") as f:
            f.write('#include "base/b.h"\nint triage__b(void) { return 1; }\n')
        with open(os.path.join(src, "engine", "e.c"), "w") as f:
            f.write('#include "assign/a.h"\nint triage__a(void);\n'
                    'int triage__e(void) { return triage__a(); }\n')
        with open(os.path.join(src, "assign", "a.c"), "w") as f:
            f.write('int triage__e(void);\nint triage__a(void) { return 0; }\n'
                    'int triage__a2(void) { return triage__e(); }\n')
        inc = include_problems(src)
        assert any("engine includes" in p and "assign" in p for p in inc), inc
        objs = []
        for layer, name in (("base", "b"), ("engine", "e"), ("assign", "a")):
            obj = os.path.join(d, f"{layer}_{name}.c.o")
            subprocess.run(["cc", "-c", "-w", "-I", src, os.path.join(src, layer, name + ".c"),
                            "-o", obj], check=True)
            objs.append(obj)
        calls = call_problems(objs)
        assert any("engine/e.c calls triage__a of the higher layer assign/a.c" in p for p in calls), calls
        assert any("circle" in p for p in calls), calls
        # A clean tree passes: drop the upward call and include.
        with open(os.path.join(src, "engine", "e.c"), "w") as f:
            f.write('#include "base/b.h"\nint triage__b(void);\n'
                    'int triage__e(void) { return triage__b(); }\n')
        subprocess.run(["cc", "-c", "-w", "-I", src, os.path.join(src, "engine", "e.c"),
                        "-o", objs[1]], check=True)
        assert not include_problems(src), include_problems(src)
        assert not call_problems(objs), call_problems(objs)
    print("check_layers self-test: an upward include, an upward call and a circle are caught")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    problems = include_problems(argv[1]) + call_problems(argv[2:])
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} problem(s)")
        return 1
    print("check_layers: no upward include or call, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
