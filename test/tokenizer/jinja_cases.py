"""Templates that pin down Kiln's Jinja engine against Jinja2 as transformers configures it
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson and
globals). scripts/make-tokenizer-goldens.py renders each with transformers and writes
golden/jinja.json; JinjaTest.cpp renders them with Kiln and compares.
Each case: (name, template, context). An expected error is recorded as {"error": ...}.
"""

MSGS = [{"role": "system", "content": " Be brief. "}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!", "tool_calls": None}, {"role": "user", "content": "Bye"}]

CASES = [
    ("text only", "plain text\nwith a trailing newline\n", {}),
    ("crlf source", "a\r\nb\rc\n{% if true %}\r\nx\r\n{% endif %}\r\n", {}),
    ("trim_blocks", "{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}\ndone", {}),
    ("lstrip_blocks", "  {% if true %}\n    yes\n  {% endif %}\n", {}),
    ("lstrip off with +", "  {%+ if true %}x{% endif %}", {}),
    ("trim off with +", "{% if true +%}\nx{% endif %}", {}),
    ("minus strips", "a  \n  {%- if true -%}  \n  b  {{- ' c ' -}}  \n d {%+ endif -%}\n e", {}),
    ("comments", "a {# note #} b\n  {# own line #}\nc {#- tight -#} d", {}),
    ("variable not lstripped", "  {{ 'x' }}\n", {}),
    ("for else and loop", "{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ m.role }}"
     "{{ ',' if not loop.last }}{% else %}none{% endfor %}|{% for x in [] %}x{% else %}empty{% endfor %}",
     {"messages": MSGS}),
    ("loop extras", "{% for x in 'abc' %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}"
     "{{ loop.previtem }}{{ loop.nextitem }}{{ loop.cycle('-', '+') }} {% endfor %}", {}),
    ("for if filter", "{% for m in messages if m.role != 'system' %}{{ loop.index }}{{ m.content }}{% endfor %}",
     {"messages": MSGS}),
    ("break continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}"
     "{% if i > 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
    ("set scoping", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}"
     "{% if true %}{% set x = 3 %}{% endif %}{{ x }}", {}),
    ("namespace", "{% set ns = namespace(n=0, s='') %}{% for i in range(4) %}{% set ns.n = ns.n + i %}"
     "{% set ns.s = ns.s ~ i %}{% endfor %}{{ ns.n }} {{ ns.s }}", {}),
    ("block set", "{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting | upper }}]", {"name": "Ada"}),
    ("macro", "{% macro tag(name, value='?') %}<{{ name }}={{ value }}>{% endmacro %}"
     "{{ tag('a') }}{{ tag('b', 2) }}{{ tag(value=3, name='c') }}", {}),
    ("if elif else", "{% for n in [0, 1, 2, 3] %}{% if n == 0 %}zero{% elif n is odd %}odd"
     "{% elif n is divisibleby(2) %}even{% else %}?{% endif %} {% endfor %}", {}),
    ("tests", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ n is none }} {{ s is string }}"
     " {{ d is mapping }} {{ l is iterable }} {{ 3 is number }} {{ 2.5 is float }} {{ 2 is integer }}"
     " {{ true is boolean }} {{ 'a' is in 'abc' }} {{ n is sameas none }} {{ 3 is eq 3 }} {{ x is not none }}",
     {"x": 1, "n": None, "s": "s", "d": {}, "l": []}),
    ("printing values", "{{ none }}|{{ true }}|{{ false }}|{{ 1.0 }}|{{ 0.1 + 0.2 }}|{{ 1e-7 }}|{{ 3 / 2 }}"
     "|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}|{{ [1, 'a', none] }}|{{ {'k': 'v', 'n': 1.5} }}"
     "|{{ undefined_name }}|{{ 'it\\'s' }}|{{ [\"it's\"] }}", {}),
    ("string ops", "{{ s.split() }}{{ s.split(',') }}{{ s.split(',', 1) }}{{ s.rsplit(',', 1) }}"
     "{{ s.strip() }}|{{ s.strip(' a') }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.startswith((' x', ' a')) }}"
     "{{ s.endswith('c ') }}{{ s.replace(',', ';') }}{{ s.upper() }}{{ s.lower() }}{{ s.find('b') }}"
     "{{ s.count(',') }}{{ '-'.join(['x', 'y']) }}{{ s.title() }}",
     {"s": " a,b,c  d,e c "}),
    ("split think", "{% set c = content.split('</think>')[-1] %}[{{ c }}][{{ c | trim }}]"
     "[{{ content.split('</think>', 1)[0] }}]", {"content": "<think>\nreasoning\n</think>\n\nanswer"}),
    ("slicing", "{{ l[1:] }}{{ l[:-1] }}{{ l[::-1] }}{{ l[-1] }}{{ s[1:3] }}{{ s[::-1] }}{{ s[-2:] }}{{ l[5] }}",
     {"l": [1, 2, 3, 4], "s": "héllo😀"}),
    ("filters", "{{ l | length }} {{ s | length }} {{ l | join(', ') }} {{ l | first }} {{ l | last }} "
     "{{ l | reverse | list }} {{ l | sort }} {{ l | sort(reverse=true) }} {{ w | sort }} {{ l | unique | list }} "
     "{{ missing | default('dflt') }} {{ '' | default('e', true) }} {{ s | upper }} {{ s | title }} "
     "{{ s | capitalize }} {{ s | replace('l', 'L') }} {{ '42' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float }} "
     "{{ 2.567 | round(2) }} {{ -3 | abs }} {{ 5 | string ~ '!' }} {{ d | items | list }} {{ l | sum }} "
     "{{ l | min }} {{ l | max }} {{ '  pad  ' | trim }}",
     {"l": [3, 1, 2, 3], "s": "hello wORLD", "w": ["b", "A", "c"], "d": {"a": 1, "b": 2}}),
    ("map select", "{{ messages | map(attribute='role') | list }} {{ messages | selectattr('role', 'eq', 'user')"
     " | map(attribute='content') | join('+') }} {{ [1, 2, 3, 4] | select('odd') | list }}"
     " {{ [1, 2, 3, 4] | reject('odd') | list }} {{ messages | rejectattr('role', 'equalto', 'user') | list | length }}"
     " {{ ['a', 'b'] | map('upper') | list }}", {"messages": MSGS}),
    ("tojson", "{{ d | tojson }}\n{{ d | tojson(indent=2) }}\n{{ 'ü\"\\\\\\n' | tojson }}\n{{ [] | tojson }}"
     "{{ {} | tojson }}\n{{ d | tojson(ensure_ascii=true) }}\n{{ d | tojson(sort_keys=true) }}",
     {"d": {"z": [1, 2.5, None, True], "a": "é😀\t", "n": {"x": {}}}}),
    ("dict access", "{{ d.a }} {{ d['b'] }} {{ d.get('c', 'none') }} {{ d.get('a') }} {{ d.items() | list }}"
     " {{ d.keys() | list }} {{ d.values() | list }} {{ 'a' in d }} {{ 'z' not in d }} {{ d.missing is defined }}",
     {"d": {"a": 1, "b": [2]}}),
    ("operators", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 2 }} {{ [1] + [2] }} {{ 1 + 2.5 }}"
     " {{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or '' or [] }} {{ not 0 }} {{ 'x' if 0 else 'y' }} {{ 'b' if 1 }}"
     " {{ -(1 + 2) * 3 }} {{ 10 - 2 - 3 }} {{ 2 ** 3 ** 2 }} {{ 'abc' < 'abd' }} {{ [1, 2] == [1, 2] }} {{ 1 == 1.0 }}",
     {}),
    ("bos and messages", "{{ bos_token }}{% for m in messages %}{{ m['role'] | upper }}: {{ m['content'] }}\n{% endfor %}"
     "{% if add_generation_prompt %}ASSISTANT:{% endif %}",
     {"bos_token": "<s>", "messages": MSGS, "add_generation_prompt": True}),
    ("undefined in concat fails", "{{ 'a' + missing }}", {}),
    ("attribute of undefined fails", "{{ missing.x }}", {}),
    ("raise_exception", "{% if true %}{{ raise_exception('custom failure') }}{% endif %}", {}),
    ("undefined iteration", "{% for x in missing %}x{% else %}none{% endfor %}{{ missing | length }}", {}),
    ("whitespace heavy", "{%- for m in messages -%}\n    {%- if m.role == 'user' %}\n        U: {{ m.content }}\n"
     "    {%- elif m.role == 'assistant' %}\n        A: {{ m.content }}\n    {%- endif %}\n{%- endfor %}\n",
     {"messages": MSGS}),
]
