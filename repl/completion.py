"""Shell completion scripts for bash and zsh, generated from `repl`'s own argparse tree: a new noun,
action or flag completes without anyone editing a script."""
import argparse
from dataclasses import dataclass, field


@dataclass
class Node:
    """What may follow one command path ("", " run", " run list"): words, flags, and flags' choices."""
    words: list = field(default_factory=list)  # (word, help): actions, nouns, a positional's choices
    flags: list = field(default_factory=list)  # (flag, help)
    choices: dict = field(default_factory=dict)  # flag -> the values it allows (--status: the run states)


def tree(parser: argparse.ArgumentParser, path: str = "", nodes: dict | None = None, valued: set | None = None):
    """{path: Node} for every command, and the set of flags that take a value (their value is skipped
    when the scripts work out which command a line is in)."""
    nodes, valued = {} if nodes is None else nodes, set() if valued is None else valued
    node = nodes[path] = Node()
    for action in parser._actions:  # argparse has no public way to list a parser's arguments
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                node.words.append((name, helps.get(name)))
                tree(sub, f"{path} {name}", nodes, valued)
        elif action.option_strings:
            node.flags += [(flag, _help(action)) for flag in action.option_strings]
            if action.nargs != 0:  # store_true, --help, --version take none
                valued.update(action.option_strings)
            if action.choices:
                node.choices.update({flag: list(action.choices) for flag in action.option_strings})
        elif action.choices:  # a positional with choices, as `repl completion bash|zsh`
            node.words += [(choice, _help(action)) for choice in action.choices]
    return nodes, valued


def bash(parser: argparse.ArgumentParser) -> str:
    nodes, valued = tree(parser)
    values = "".join(f'        "{path} {flag}") choices="{" ".join(options)}" ;;\n'
                     for path, node in nodes.items() for flag, options in node.choices.items())
    words = "".join(f'                "{path}") choices="{" ".join(w for w, _ in node.words + node.flags)}" ;;\n'
                    for path, node in nodes.items())
    return BASH.format(paths=_alternatives(p for p in nodes if p), valued=_alternatives(sorted(valued)),
                       values=values, words=words)


def zsh(parser: argparse.ArgumentParser) -> str:
    nodes, valued = tree(parser)
    values = "".join(f'        ("{path} {flag}") compadd -- {" ".join(options)}; return ;;\n'
                     for path, node in nodes.items() for flag, options in node.choices.items())
    described = {path: " ".join(_described(*e) for e in node.words + node.flags) for path, node in nodes.items()}
    words = "".join(f'        ("{path}") entries=({entries}) ;;\n' for path, entries in described.items())
    return ZSH.format(paths=_alternatives(p for p in nodes if p), valued=_alternatives(sorted(valued)),
                      values=values, words=words)


def _alternatives(words) -> str:
    return "|".join(f'"{word}"' for word in words)


def _described(word: str, help_text: str | None) -> str:
    """A zsh _describe entry, 'word:help', single-quoted."""
    text = " ".join((help_text or "").split())
    text = text if len(text) <= 70 else text[:69] + "…"
    return "'" + f"{word}:{text}".replace("'", "'\\''") + "'"


def _help(action: argparse.Action) -> str:
    if not action.help or action.help == argparse.SUPPRESS:
        return ""
    try:
        return action.help % vars(action)  # "(default: %(default)s)", as argparse's own help shows it
    except (KeyError, TypeError, ValueError):
        return action.help


BASH = """\
# bash completion for repl, generated from its argparse tree. Use: eval "$(repl completion bash)"
_repl() {{
    local line="${{COMP_LINE:0:COMP_POINT}}" cmd="" cur="" prev="" choices="" word i
    local -a words
    # the line split on blanks, not COMP_WORDS: bash splits those at ":" too (ubuntu:noble:amd64)
    read -ra words <<< "$line"
    if [[ "$line" != *[[:space:]] && ${{#words[@]}} -gt 0 ]]; then  # the word being completed
        cur="${{words[${{#words[@]}}-1]}}"
        unset "words[${{#words[@]}}-1]"
    fi
    for ((i = 1; i < ${{#words[@]}}; i++)); do  # which command the line is in: "", " run", " run list"
        word="${{words[i]}}"
        case "$word" in
            {valued}) i=$((i + 1)); continue ;;
        esac
        case "$cmd $word" in
            {paths}) cmd="$cmd $word" ;;
        esac
    done
    [[ ${{#words[@]}} -gt 0 ]] && prev="${{words[${{#words[@]}}-1]}}"
    case "$cmd $prev" in
{values}        *)
            case "$prev" in
                {valued}) return 0 ;;  # a value of the user's own
            esac
            case "$cmd" in
{words}            esac ;;
    esac
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
}}
complete -F _repl repl
"""

ZSH = """\
# zsh completion for repl, generated from its argparse tree. Use: eval "$(repl completion zsh)"
if ! (( $+functions[compdef] )); then autoload -Uz compinit && compinit; fi
_repl() {{
    local cmd="" word i
    local -a entries
    for ((i = 2; i < CURRENT; i++)); do  # which command the line is in: "", " run", " run list"
        word="${{words[i]}}"
        case "$word" in
            ({valued}) (( i++ )); continue ;;
        esac
        case "$cmd $word" in
            ({paths}) cmd="$cmd $word" ;;
        esac
    done
    case "$cmd ${{words[CURRENT-1]}}" in
{values}    esac
    case "${{words[CURRENT-1]}}" in
        ({valued}) return 1 ;;  # a value of the user's own
    esac
    case "$cmd" in
{words}    esac
    _describe -t commands repl entries
}}
compdef _repl repl
"""
