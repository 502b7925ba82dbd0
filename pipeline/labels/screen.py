"""The terminal face of a labeling session: one screen per sentence, one key per decision.

Keys come one at a time from `typer.getchar` (no Enter needed; a test runner
feeds it scripted input) and the screen is drawn with rich. All state lives in
`pipeline.labels.session.Session`, which saves every decision before the next key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from pipeline.corpus.segment import Sentence
from pipeline.labels.queue import Item
from pipeline.labels.session import Session
from pipeline.params import NOTE_KEY, QUIT_KEYS, SKIP_KEYS, UNDO_KEY


def by_article(sentences: Sequence[Sentence]) -> dict[str, list[Sentence]]:
    """Each article's sentences in reading order: where the neighbours of a sentence come from."""
    articles: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        articles[sentence.article].append(sentence)
    return {name: sorted(found, key=lambda s: s.index) for name, found in articles.items()}


def legend(keys: Mapping[str, str]) -> Text:
    text = Text()
    for key, label in keys.items():
        text.append(f"[{key}]", style="bold cyan").append(f" {label}  ")
    text.append("\n")
    for key, action in (("space/" + SKIP_KEYS[1], "skip"), (UNDO_KEY, "undo"), (NOTE_KEY, "note"), (QUIT_KEYS[0], "quit")):
        text.append(f"[{key}]", style="bold").append(f" {action}  ")
    return text


def predicted(item: Item) -> str:
    """The guess as `stance predict` prints it in its table: the label, `?` when set aside, and the confidence."""
    return f"{item.guess}{'?' * item.set_aside} {item.confidence:.2f}"


def screen(session: Session, articles: Mapping[str, Sequence[Sentence]], titles: Mapping[str, str], context: int, message: str) -> RenderableType:
    """The current sentence with its neighbours, the article title, the model's guess and the keys."""
    item = session.current
    assert item is not None
    sentence = item.sentence
    article = articles[sentence.article]
    header = Text(titles.get(sentence.article, sentence.article), style="bold")
    header.append(f"   {sentence.article} · sentence {sentence.index + 1} of {len(article)}", style="dim")
    progress = Text(
        f"{session.position + 1} of {len(session.items)} in the queue · this session: {session.labeled} labeled, {session.skipped} skipped",
        style="dim",
    )
    before = [Text(s.text, style="dim") for s in article[max(0, sentence.index - context) : sentence.index]]
    after = [Text(s.text, style="dim") for s in article[sentence.index + 1 : sentence.index + 1 + context]]
    guess = Text("model guess: ")
    if item.guess is None:
        guess.append("none (no trained model)", style="dim")
    else:
        guess.append(predicted(item), style="dim" if item.set_aside else "bold magenta")
        if item.set_aside:
            guess.append("  (below the model's minimum confidence: `stance predict` sets it aside)", style="dim")
    lines: list[RenderableType] = [header, progress, Text(), *before, Panel(Text(sentence.text), border_style="cyan"), *after, Text(), guess]
    if session.note:
        lines.append(Text(f"note: {session.note}", style="yellow"))
    lines.append(legend(session.keys))
    if message:
        lines.append(Text(message, style="green"))
    return Group(*lines)


def run(session: Session, console: Console, articles: Mapping[str, Sequence[Sentence]], titles: Mapping[str, str], context: int) -> None:
    """Show sentences and apply keys until the queue ends or the annotator quits."""
    message = ""
    while session.current is not None:
        console.clear()
        console.print(screen(session, articles, titles, context, message))
        try:
            key = typer.getchar()
        except (KeyboardInterrupt, EOFError):
            return
        if key in QUIT_KEYS:
            return
        if key == NOTE_KEY:
            try:
                session.note = typer.prompt("Note", default="", show_default=False).strip()
            except typer.Abort:
                return
            message = "note kept for the next label" if session.note else "note cleared"
            continue
        message = session.press(key)
