import json
from dataclasses import dataclass, field


@dataclass
class Message:
    role: str
    content: str = ""
    tags: list[str] = field(default_factory=list)


def render(messages: list[Message], *, add_generation_prompt: bool = True) -> str:
    """Render a conversation the way a chat template would."""
    parts = [f"<{m.role}>{m.content}</{m.role}>" for m in messages if m.content]
    if add_generation_prompt:
        parts.append("<assistant>")
    return "\n".join(parts)


if __name__ == "__main__":
    msgs = [Message("user", "Hi!"), Message("assistant", "Hello 👋")]
    print(json.dumps([m.__dict__ for m in msgs], ensure_ascii=False, indent=2))
    print(render(msgs))
    x = {k: v ** 2 for k, v in zip("abc", range(3))}  # {'a': 0, 'b': 1, 'c': 4}
    lambda_ = lambda *args, **kwargs: (args, kwargs)
    print(f"{x!r:>40} {3.14159:.2f} {1_000_000:,}")
