#!/usr/bin/env bash
# Install the Debian packages kinerja needs, when they are missing.
# As root it installs them with apt-get; otherwise it prints the one line to run.
set -euo pipefail

# command -> Debian package that provides it
declare -A NEED=(
  [soffice]=libreoffice-writer-nogui
  [pdftotext]=poppler-utils
  [pdfsig]=poppler-utils
  [qpdf]=qpdf
  [softhsm2-util]=softhsm2
  [pkcs11-tool]=opensc
  [certutil]=libnss3-tools
  [zbarimg]=zbar-tools
  [chromium]=chromium
)
# fonts LibreOffice needs for metric-compatible output, and UNO for warm workers
FILES=(
  "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf:fonts-liberation2"
  "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf:fonts-crosextra-carlito"
  "/usr/share/fonts/truetype/crosextra/Caladea-Regular.ttf:fonts-crosextra-caladea"
  "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf:fonts-urw-base35"
  "/usr/lib/python3/dist-packages/uno.py:python3-uno"
)

missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
for entry in "${FILES[@]}"; do
  [ -e "${entry%%:*}" ] || missing+=("${entry##*:}")
done
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "kinerja needs these Debian packages; run:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
