#!/usr/bin/env python3
"""Renders every template here with every conversation of cases.json as transformers'
apply_chat_template does (Jinja2 sandbox, trim_blocks, lstrip_blocks, loopcontrols, its own tojson
and raise_exception) and writes expected.json, which ChatTemplateParityTest compares Jinjava with.
Run from this directory: python3 render_with_jinja2.py (needs jinja2 only)."""
import json
import pathlib

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

BOS, EOS = "<s>", "</s>"


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers replaces Jinja's HTML-escaping tojson with plain json.dumps
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def main():
    here = pathlib.Path(__file__).parent
    cases = json.loads((here / "cases.json").read_text(encoding="utf-8"))
    env = environment()
    expected = {}
    for path in sorted(here.glob("*.jinja")):
        template = env.from_string(path.read_text(encoding="utf-8"))
        out = {}
        for name, case in cases.items():
            try:
                out[name] = {"text": template.render(messages=case["messages"], tools=None, documents=None,
                                                     add_generation_prompt=case["add_generation_prompt"],
                                                     bos_token=BOS, eos_token=EOS)}
            except jinja2.exceptions.TemplateError as e:
                out[name] = {"error": str(e)}
        expected[path.stem] = out
    (here / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
