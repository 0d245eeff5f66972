#!/bin/sh
# Besace for the current user, without administrator rights: a menu entry, the icon, the
# .besace file type, and the `besace` / `besace-gui` commands in ~/.local/bin.
# The program stays in this folder: move the folder, then run this script again.
#
#   ./install.sh              install (or update after moving the folder)
#   ./install.sh --uninstall  remove the menu entry, icon, file type and commands
#
# Neither mode ever touches projects (.besace files), settings or logs.
set -eu

HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=$HOME/.local/bin

APPLICATIONS=$DATA/applications
MIME=$DATA/mime
ICONS=$DATA/icons/hicolor

# French unless the session asks for English.
say() {
    case "${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}" in
        en*) printf '%s\n' "$2" ;;
        *) printf '%s\n' "$1" ;;
    esac
}

refresh() {
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database "$MIME" >/dev/null 2>&1 || true
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$APPLICATIONS" >/dev/null 2>&1 || true
    fi
}

# Remove a command link only if it is ours (points into a Besace bundle).
remove_link() {
    if [ -L "$1" ]; then
        target=$(readlink "$1")
        case "$target" in
            */besace | */besace-gui)
                if [ -d "$(dirname -- "$target")/_internal" ]; then rm -f "$1"; fi
                ;;
        esac
    fi
}

uninstall() {
    rm -f "$APPLICATIONS/besace.desktop" "$MIME/packages/besace.xml" \
        "$ICONS/256x256/apps/besace.png" "$ICONS/scalable/apps/besace.svg"
    remove_link "$BIN/besace"
    remove_link "$BIN/besace-gui"
    refresh
    say "Besace est retiré du menu. Vos projets et réglages sont conservés ; ce dossier peut être supprimé." \
        "Besace was removed from the menu. Your projects and settings are kept; this folder can be deleted."
}

install() {
    for file in besace besace-gui share/applications/besace.desktop; do
        if [ ! -e "$HERE/$file" ]; then
            say "Fichier manquant : $HERE/$file (lancez ce script depuis le dossier de Besace)." \
                "Missing file: $HERE/$file (run this script from the Besace folder)." >&2
            exit 1
        fi
    done
    # The menu entry quotes the path; these characters would need escaping there.
    case "$HERE" in
        *'"'* | *'`'* | *'$'* | *'\'*)
            say "Le chemin du dossier contient \" \` \$ ou \\ : déplacez Besace ailleurs, puis relancez." \
                "The folder path holds \" \` \$ or \\: move Besace elsewhere, then run again." >&2
            exit 1
            ;;
    esac
    mkdir -p "$APPLICATIONS" "$MIME/packages" "$ICONS/256x256/apps" "$ICONS/scalable/apps" "$BIN"
    cp "$HERE/share/mime/packages/besace.xml" "$MIME/packages/besace.xml"
    cp "$HERE/share/icons/hicolor/256x256/apps/besace.png" "$ICONS/256x256/apps/besace.png"
    cp "$HERE/share/icons/hicolor/scalable/apps/besace.svg" "$ICONS/scalable/apps/besace.svg"
    awk -v gui="$HERE/besace-gui" '
        /^Exec=/ { print "Exec=\"" gui "\" %f"; next }
        /^TryExec=/ { print "TryExec=" gui; next }
        { print }
    ' "$HERE/share/applications/besace.desktop" >"$APPLICATIONS/besace.desktop"
    chmod 644 "$APPLICATIONS/besace.desktop"
    ln -sfn "$HERE/besace" "$BIN/besace"
    ln -sfn "$HERE/besace-gui" "$BIN/besace-gui"
    refresh
    say "Besace est installé : menu Bureautique, fichiers .besace, commandes besace et besace-gui dans $BIN." \
        "Besace is installed: Office menu, .besace files, besace and besace-gui commands in $BIN."
    case ":$PATH:" in
        *":$BIN:"*) ;;
        *) say "Ajoutez $BIN à votre PATH pour taper « besace » dans un terminal." \
            "Add $BIN to your PATH to type \"besace\" in a terminal." ;;
    esac
}

case "${1:-}" in
    "") install ;;
    --uninstall) uninstall ;;
    *)
        say "Usage : $0 [--uninstall]" "Usage: $0 [--uninstall]" >&2
        exit 2
        ;;
esac
