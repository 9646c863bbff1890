# bash completion for passc (installed as
# share/bash-completion/completions/passc).  Rule ids come from
# `passc rules` itself, so they are those of the installed binary.
_passc()
{
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "build lint facts init import fmt rules explain help --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
        --facts|--pci-ids|--quirks|--vm-conf|--vfio)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --root)
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        -o|--output)
            if [ "$cmd" = build ]; then COMPREPLY=($(compgen -d -- "$cur"))
            else COMPREPLY=($(compgen -f -- "$cur")); fi
            return ;;
        --format|-f)
            if [ "$cmd" = facts ]; then COMPREPLY=($(compgen -W "yaml text" -- "$cur"))
            else COMPREPLY=($(compgen -W "text gcc json sarif" -- "$cur")); fi
            return ;;
        --vm|--vmid)
            return ;;
    esac
    local facts="--facts --root --no-facts"
    local opts
    case $cmd in
        build) opts="-o -q --werror --color --no-color --pci-ids --quirks $facts" ;;
        lint) opts="--format --werror --color --no-color --pci-ids --quirks $facts" ;;
        facts) opts="--root --facts -o --format --pci-ids --color --no-color" ;;
        init) opts="--vm -o --vm-conf --facts --root" ;;
        import) opts="--vfio --vmid -o $facts" ;;
        fmt) opts="-w --check" ;;
        explain)
            COMPREPLY=($(compgen -W "$(passc rules 2>/dev/null | awk '{print $1, $2}')" -- "$cur"))
            return ;;
        *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return
    fi
    case $cmd in
        build|lint|fmt)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.pass' -- "$cur") $(compgen -d -- "$cur")) ;;
        import)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.conf' -- "$cur") $(compgen -d -- "$cur")) ;;
    esac
}
complete -F _passc passc
