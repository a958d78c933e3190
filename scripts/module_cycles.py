#!/usr/bin/env python3
"""Import circles between the modules of each Rust crate: exits 1 naming them.

Module A depends on module B when A's file names a path into B (`use crate::b::…`, `super::b::…`,
or such a path in code). A module and its ancestors or descendants are one family (a child uses its
parent's items, a parent re-exports its children's), so only edges between modules outside each
other's family count: two sibling modules that use each other, directly or round a longer loop,
cannot be understood or changed one at a time. Test modules (`tests`, `*_tests`) are left out.

Usage: scripts/module_cycles.py crates/core/src [more crate roots]
"""

import re
import sys
from pathlib import Path

USE = re.compile(r"\buse\s+((?:crate|super|self)\b[^;]*);", re.S)
PATH = re.compile(r"\b((?:crate|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
COMMENT = re.compile(r"//[^\n]*")


def module_of(root: Path, file: Path) -> tuple:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] in ("lib", "main", "mod"):
        parts.pop()
    return tuple(parts)


def expand(tree: str) -> list:
    """`crate::a::{b, c::{d, e}}` -> ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]."""
    tree = re.sub(r"\s+", "", tree)
    if "{" not in tree:
        return [tree]
    start = tree.index("{")
    prefix, inner = tree[:start], tree[start + 1 : tree.rindex("}")]
    items, depth, current = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += (ch == "{") - (ch == "}")
        current += ch
    items.append(current)
    return [p for item in items if item for p in expand(prefix + item)]


def resolve(path: str, here: tuple, is_dir_module: bool, modules: set):
    parts = path.split("::")
    base = list(here) if is_dir_module else list(here[:-1]) if here else []
    if parts[0] == "crate":
        base = []
    elif parts[0] == "self":
        base = list(here)
    if parts[0] in ("crate", "self"):
        parts = parts[1:]
    else:
        # `super` from a file module is its parent's directory; from mod.rs, the grandparent.
        if not is_dir_module:
            base = list(here)
        while parts and parts[0] == "super":
            base = base[:-1]
            parts = parts[1:]
    full = base + [p.split(" as ")[0] for p in parts]
    for n in range(len(full), -1, -1):
        if tuple(full[:n]) in modules:
            return tuple(full[:n])
    return None


def related(a: tuple, b: tuple) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def is_test(module: tuple) -> bool:
    return bool(module) and (module[-1] == "tests" or module[-1].endswith("_tests"))


def cycles(root: Path) -> list:
    files = {module_of(root, f): f for f in root.rglob("*.rs")}
    modules = set(files)
    edges = {m: set() for m in modules}
    for module, file in files.items():
        if is_test(module) or file.parent.name == "bin" or "bin" in module:
            continue
        text = COMMENT.sub("", file.read_text(encoding="utf-8"))
        # A `#[cfg(test)] mod tests { … }` at the end of a file is the file's own tests.
        text = re.split(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*mod\s+\w+\s*\{", text)[0]
        is_dir = file.name in ("mod.rs", "lib.rs", "main.rs")
        paths = [p for tree in USE.findall(text) for p in expand(tree)] + PATH.findall(text)
        for path in paths:
            target = resolve(path, module, is_dir, modules)
            if target is not None and not is_test(target) and not related(module, target):
                edges[module].add(target)
    # Strongly connected components (Tarjan), sizes above one are circles.
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    name = lambda m: "::".join(m) or "crate"  # noqa: E731
    return [
        [name(m) for m in component]
        + [f"  {name(a)} -> {name(b)}" for a in component for b in sorted(edges[a]) if b in component]
        for component in found
    ]


def main() -> int:
    failed = False
    for root in sys.argv[1:]:
        for component in cycles(Path(root)):
            failed = True
            print(f"{root}: modules that depend on each other in a circle:", file=sys.stderr)
            for line in component:
                print(f"  {line}", file=sys.stderr)
    if not failed:
        print(f"no module circles in {', '.join(sys.argv[1:])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
