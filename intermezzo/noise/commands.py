"""`intermezzo noise`: noise a task's data file (labels kept), or list which family applies to which language."""

from __future__ import annotations

import typer

SHORT = {"keyboard": "kbd", "char_insert": "ins", "char_delete": "del", "char_substitute": "sub",
         "char_swap": "swp", "diacritics": "dia", "case": "case", "whitespace": "ws", "punctuation": "pun",
         "translit": "tr", "codeswitch": "cs", "misspell": "mis"}


# The word-list files of the families that need one, as --help and --list describe them.
WORD_LISTS = ("codeswitch:LEVEL@FILE reads a bilingual lexicon, one 'src tgt' pair per line (a MUSE dictionary, "
              "e.g. de-en.txt); misspell:LEVEL@FILE reads real misspellings, one 'wrong right' pair per line "
              "(e.g. a Wikipedia typo list). UTF-8, whitespace-separated, one word each side; a word with several "
              "lines gets one of them at random.")


def _print_matrix() -> None:
    from intermezzo.noise import FAMILIES, SUITES, support_matrix
    from intermezzo.noise.registry import NEEDS_PATH

    names = [SHORT.get(f, f) for f in FAMILIES]
    typer.echo(("lang  script      " + " ".join(n.ljust(4) for n in names)).rstrip())
    for lang, script, row in support_matrix():
        # '@': applies once the user gives its word list (the suite ships none).
        cells = ["." if not ok else "@" if f in NEEDS_PATH else "x" for f, ok in zip(FAMILIES, row)]
        typer.echo((f"{lang:<5} {script:<11} " + " ".join(c.ljust(4) for c in cells)).rstrip())
    typer.echo("legend: " + ", ".join(f"{SHORT.get(f, f)}={f}" for f in FAMILIES)
               + "; x = applies, . = does not, @ = applies with your word list (family:LEVEL@FILE)")
    typer.echo("word lists: " + WORD_LISTS)
    typer.echo("suites: " + ", ".join(SUITES))


def noise_command(
    task: str = typer.Option(None, help="Task name (intermezzo tasks): picks the file format and label rules."),
    lang: str = typer.Option(None, help="Language of the text, any the noise suite knows (see --list)."),
    noise: str = typer.Option(None, help="Noise spec, e.g. 'keyboard:0.1,diacritics:1.0' or "
                                         "'codeswitch:0.3@lexicon.txt'; applied left to right. " + WORD_LISTS),
    seed: int = typer.Option(0, help="Random seed; each example's noise depends on (seed, example id) only, not on order."),
    input: str = typer.Option(None, "--input", help="Input file in the task's official layout (XNLI/PAWS-X/GLUE "
                                                    ".tsv, CoNLL .tsv, SQuAD .json, (X)COPA/SIQA/HellaSwag/... "
                                                    ".jsonl, Cosmos QA .csv, Tatoeba/BUCC sentence files, "
                                                    "Mewsli-X mentions) or canonical .jsonl."),
    output: str = typer.Option(None, help="Output file (not a folder), written atomically in the input's layout."),
    fields: str = typer.Option(None, help="Comma-separated text fields to noise, by their canonical names "
                                          "(xnli: premise,hypothesis; default: all of the task's)."),
    list_: bool = typer.Option(False, "--list", help="Print the language x family matrix and exit."),
) -> None:
    """Write a noisy copy of a task's data file with labels kept (tags aligned, QA offsets recomputed).

    Only the fields the task's text lives in change: labels, ids and templates (XCOPA's `question`) stay.
    codeswitch and misspell need your word list: 'src tgt' lines (MUSE) and 'wrong right' lines."""
    if list_:
        _print_matrix()
        return
    from intermezzo.errors import UserError

    missing = [f"--{n}" for n, v in (("task", task), ("lang", lang), ("noise", noise), ("input", input),
                                     ("output", output)) if not v]
    if missing:
        raise UserError(f"noise: missing {', '.join(missing)}; e.g. intermezzo noise --task xnli --lang de "
                        "--noise keyboard:0.1 --input test-de.tsv --output noisy-de.tsv")
    from intermezzo.noise.files import noise_file
    from intermezzo.tasks import get_task

    chosen = tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else None
    n = noise_file(get_task(task), input, output, lang, noise, seed, fields=chosen)
    typer.echo(f"wrote {n} noisy examples to {output}")


def register(app: typer.Typer) -> None:
    """Add `noise` to the app."""
    app.command("noise")(noise_command)
