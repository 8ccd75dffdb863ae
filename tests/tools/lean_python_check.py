#!/usr/bin/env python3
"""Checks, for tests/cloud.rs, that each stripped Python file of a VM's user data is the
commented original without its comments and docstrings, and nothing else.

usage: lean_python_check.py ORIGINAL STRIPPED [ORIGINAL STRIPPED ...]

For each pair: the AST of STRIPPED equals the AST of ORIGINAL once the docstrings are taken
out of it (the first statement of a module, class or function body when it is a string
constant and not the body's only statement); STRIPPED has no comment but a first-line `#!`
and no blank line outside a string (Python's own tokenizer says so). Prints one line per
pair; exits 1 if any pair fails.
"""

import ast
import io
import sys
import tokenize


def without_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                len(body) > 1
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                del body[0]
    return tree


def leftovers(text):
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and not (token.start == (1, 0) and token.string.startswith("#!")):
            found.append(f"line {token.start[0]}: comment {token.string!r}")
        if token.type == tokenize.NL and token.line.strip() == "":
            found.append(f"line {token.start[0]}: blank line")
    return found


failed = 0
args = sys.argv[1:]
for original_path, stripped_path in zip(args[::2], args[1::2]):
    with open(original_path, encoding="utf-8") as f:
        original = f.read()
    with open(stripped_path, encoding="utf-8") as f:
        stripped = f.read()
    want = ast.dump(without_docstrings(ast.parse(original)))
    have = ast.dump(ast.parse(stripped))
    problems = leftovers(stripped)
    if want != have:
        problems.insert(0, "its AST is not the original's without docstrings")
    if problems:
        failed += 1
        print(f"FAIL {stripped_path}: " + "; ".join(problems[:5]))
    else:
        print(f"ok {stripped_path}: {len(original)} -> {len(stripped)} bytes, same AST")
sys.exit(1 if failed else 0)
