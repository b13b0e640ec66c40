#!/usr/bin/env bash
# Builds the bundled Linux guest (`npm run images`):
#   guests/linux/images/Image.gz          Linux 6.1 (Debian linux-source-6.1), tinyconfig + kernel.config
#   guests/linux/images/rootfs.cpio.gz    static busybox (Debian source) + rootfs/ (init scripts, banner)
#   guests/linux/images/fw_dynamic.bin.gz OpenSBI generic fw_dynamic (Debian opensbi)
#   guests/linux/images/manifest.json     hash of the build inputs, package versions, image hashes
#
# Work happens in a cache outside the repository ($WASMVISOR_CACHE, default ~/.cache/wasmvisor),
# always at the same paths, with fixed timestamps, user and host names, so a rebuild gives the
# same bytes. Missing Debian packages are installed with apt-get (a deb-src entry is added for
# `apt-get source busybox` when there is none).
#
#   build.sh            build when the inputs hash differs from the manifest's (or images are missing)
#   build.sh --force    build anyway
#   build.sh --check    exit 0 if the committed images match the manifest and the inputs; else 1
set -euo pipefail
export LC_ALL=C TZ=UTC
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGES="$HERE/images"
CACHE="${WASMVISOR_CACHE:-$HOME/.cache/wasmvisor}"
JOBS="${JOBS:-$(nproc)}"
MODE="${1:-}"
step() { printf '\n== images: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Inputs: this script, the kernel options, the root filesystem files. Their hash names the build.
inputs_hash() {
  (cd "$HERE" && find build.sh kernel.config busybox.config rootfs -type f -print0 | sort -z |
    xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
manifest_field() { # field name -> value ("" if none)
  [[ -f "$IMAGES/manifest.json" ]] || { echo ""; return; }
  node -e 'const m=require(process.argv[1]);const v=m[process.argv[2]];process.stdout.write(v===undefined?"":String(v))' \
    "$IMAGES/manifest.json" "$1"
}
images_match_manifest() {
  [[ -f "$IMAGES/manifest.json" ]] || return 1
  node -e '
    const fs=require("fs"),crypto=require("crypto"),path=require("path");
    const dir=process.argv[1], m=JSON.parse(fs.readFileSync(path.join(dir,"manifest.json"),"utf8"));
    let ok=true;
    for (const [f,h] of Object.entries(m.images)) {
      const p=path.join(dir,f);
      if (!fs.existsSync(p)) { console.error(`images: ${f} is missing`); ok=false; continue; }
      const got=crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
      if (got!==h) { console.error(`images: ${f} does not match manifest.json`); ok=false; }
    }
    process.exit(ok?0:1);' "$IMAGES"
}

HASH="$(inputs_hash)"
if [[ $MODE == --check ]]; then
  if [[ "$(manifest_field inputs)" != "$HASH" ]]; then
    echo "images: the build inputs changed (hash $HASH, manifest $(manifest_field inputs)): run npm run images and commit guests/linux/images" >&2
    exit 1
  fi
  images_match_manifest || exit 1
  echo "images: committed images match their inputs ($HASH)" >&2
  exit 0
fi
if [[ $MODE != --force && "$(manifest_field inputs)" == "$HASH" ]] && images_match_manifest; then
  echo "images: up to date (inputs $HASH)" >&2
  exit 0
fi

# ---------------------------------------------------------------------------------------------
step "Debian packages"
SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO=sudo
PKGS=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross linux-source-6.1 opensbi bc flex bison cpio
  make gzip xz-utils dpkg-dev python3)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "images: adding a deb-src entry for apt-get source" >&2
  $SUDO tee /etc/apt/sources.list.d/wasmvisor-deb-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  NEED_UPDATE=1
fi
if [[ ${#missing[@]} -gt 0 || -n "${NEED_UPDATE:-}" ]]; then
  $SUDO apt-get update -qq
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
version() { dpkg-query -W -f='${Version}' "$1"; }

mkdir -p "$CACHE"
export KBUILD_BUILD_TIMESTAMP="1970-01-01 00:00:00 UTC" KBUILD_BUILD_USER=wasmvisor \
  KBUILD_BUILD_HOST=wasmvisor KBUILD_BUILD_VERSION=1 SOURCE_DATE_EPOCH=0
CROSS=riscv64-linux-gnu-

# ---------------------------------------------------------------------------------------------
step "busybox (Debian source, static)"
BB_SRC="$CACHE/busybox-src"
if [[ ! -d "$BB_SRC/busybox" ]]; then
  rm -rf "$BB_SRC"; mkdir -p "$BB_SRC"
  (cd "$BB_SRC" && apt-get source -qq busybox >/dev/null 2>&1 && mv busybox-*/ busybox)
fi
BB_VERSION="$(cd "$BB_SRC" && ls busybox_*.dsc | sed 's/^busybox_//; s/\.dsc$//')"
BB_OUT="$CACHE/busybox-build"
rm -rf "$BB_OUT"; mkdir -p "$BB_OUT"
make -s -C "$BB_SRC/busybox" O="$BB_OUT" ARCH=riscv CROSS_COMPILE=$CROSS defconfig >/dev/null
# Project settings on top of defconfig (busybox.config: one CONFIG_ line each).
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  key="${line%%=*}"
  sed -i "/^$key=/d; /^# $key is not set/d" "$BB_OUT/.config"
  if [[ ${line#*=} == n ]]; then echo "# $key is not set"; else echo "$line"; fi >> "$BB_OUT/.config"
done < "$HERE/busybox.config"
(set +o pipefail; yes "" | make -s -C "$BB_SRC/busybox" O="$BB_OUT" ARCH=riscv CROSS_COMPILE=$CROSS oldconfig >/dev/null)
make -s -C "$BB_SRC/busybox" O="$BB_OUT" ARCH=riscv CROSS_COMPILE=$CROSS -j"$JOBS" \
  EXTRA_CFLAGS="-ffile-prefix-map=$BB_SRC/busybox=. -ffile-prefix-map=$BB_OUT=." busybox busybox.links 2>&1 |
  grep -v -e 'warning: Using .* in statically linked' -e 'in function' -e '^$' >&2 || true
[[ -x "$BB_OUT/busybox" ]] || { echo "images: busybox did not build" >&2; exit 1; }
${CROSS}strip "$BB_OUT/busybox"

# ---------------------------------------------------------------------------------------------
step "Linux $(version linux-source-6.1) (tinyconfig + kernel.config)"
K_SRC="$CACHE/linux-src"
K_TAR=/usr/src/linux-source-6.1.tar.xz
K_STAMP="$K_SRC/.wasmvisor-source-$(version linux-source-6.1)"
if [[ ! -f "$K_STAMP" ]]; then
  rm -rf "$K_SRC"; mkdir -p "$K_SRC"
  tar -xf "$K_TAR" -C "$K_SRC" --strip-components=1
  touch "$K_STAMP"
fi
K_OUT="$CACHE/linux-build"
mkdir -p "$K_OUT"
KMAKE=(make -s -C "$K_SRC" O="$K_OUT" ARCH=riscv CROSS_COMPILE=$CROSS
  KCFLAGS="-ffile-prefix-map=$K_SRC=. -ffile-prefix-map=$K_OUT=.")
"${KMAKE[@]}" tinyconfig >/dev/null
args=()
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  key="${line%%=*}"; key="${key#CONFIG_}"; val="${line#*=}"
  case "$val" in
    y) args+=(--enable "$key") ;;
    n) args+=(--disable "$key") ;;
    *) args+=(--set-val "$key" "$val") ;;
  esac
done < "$HERE/kernel.config"
"$K_SRC/scripts/config" --file "$K_OUT/.config" "${args[@]}"
"${KMAKE[@]}" olddefconfig >/dev/null
# Every requested option must have survived olddefconfig (a missing dependency drops it silently).
bad=0
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  key="${line%%=*}"; val="${line#*=}"
  if [[ $val == n ]]; then grep -q "^$key=" "$K_OUT/.config" && { echo "images: $key is still set" >&2; bad=1; }
  else grep -qx "$key=$val" "$K_OUT/.config" || { echo "images: $key=$val was not accepted by Kconfig" >&2; bad=1; }
  fi
done < "$HERE/kernel.config"
[[ $bad == 0 ]] || exit 1
start=$(date +%s)
"${KMAKE[@]}" -j"$JOBS" Image
echo "images: kernel built in $(( $(date +%s) - start )) s" >&2

# ---------------------------------------------------------------------------------------------
step "initramfs"
LIST="$CACHE/initramfs.list"
# gen_init_cpio stores a regular file's own mtime (-t sets only the others'): stage the files
# with the epoch as theirs, so the archive does not depend on when they were checked out or built.
STAGE="$CACHE/initramfs-files"
rm -rf "$STAGE"; mkdir -p "$STAGE"
cp "$BB_OUT/busybox" "$STAGE/busybox"
cp -R "$HERE/rootfs" "$STAGE/rootfs"
find "$STAGE" -exec touch -h -d @0 {} +
{
  echo "dir /dev 0755 0 0"
  echo "nod /dev/console 0600 0 0 c 5 1"
  echo "nod /dev/null 0666 0 0 c 1 3"
  for d in bin sbin usr usr/bin usr/sbin proc sys tmp mnt root etc etc/init.d var var/run; do
    echo "dir /$d 0755 0 0"
  done
  echo "file /bin/busybox $STAGE/busybox 0755 0 0"
  echo "slink /init /bin/busybox 0777 0 0" # busybox init, run as the initramfs's /init
  # One symlink per applet, as `busybox --install -s` would make.
  sed 's|^/||' "$BB_OUT/busybox.links" | sort -u | while IFS= read -r applet; do
    echo "slink /$applet /bin/busybox 0777 0 0"
  done
  (cd "$HERE/rootfs" && find . -mindepth 1 | sort) | while IFS= read -r f; do
    f="${f#./}"
    [[ -d "$HERE/rootfs/$f" ]] && continue # directories: the fixed list above
    mode=0644; [[ -x "$HERE/rootfs/$f" ]] && mode=0755
    echo "file /$f $STAGE/rootfs/$f $mode 0 0"
  done
} > "$LIST"
"$K_OUT/usr/gen_init_cpio" -t 0 "$LIST" > "$CACHE/rootfs.cpio"

# ---------------------------------------------------------------------------------------------
step "images"
mkdir -p "$IMAGES"
gzip -9 -n -c "$K_OUT/arch/riscv/boot/Image" > "$IMAGES/Image.gz"
gzip -9 -n -c "$CACHE/rootfs.cpio" > "$IMAGES/rootfs.cpio.gz"
gzip -9 -n -c /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin > "$IMAGES/fw_dynamic.bin.gz"
sha() { sha256sum "$1" | cut -d' ' -f1; }
cat > "$IMAGES/manifest.json" <<EOF
{
  "inputs": "$HASH",
  "packages": {
    "linux-source-6.1": "$(version linux-source-6.1)",
    "busybox (source)": "$BB_VERSION",
    "gcc-riscv64-linux-gnu": "$(version gcc-riscv64-linux-gnu)",
    "opensbi": "$(version opensbi)"
  },
  "sizes": {
    "Image": $(stat -c %s "$K_OUT/arch/riscv/boot/Image"),
    "rootfs.cpio": $(stat -c %s "$CACHE/rootfs.cpio"),
    "fw_dynamic.bin": $(stat -c %s /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin)
  },
  "images": {
    "Image.gz": "$(sha "$IMAGES/Image.gz")",
    "rootfs.cpio.gz": "$(sha "$IMAGES/rootfs.cpio.gz")",
    "fw_dynamic.bin.gz": "$(sha "$IMAGES/fw_dynamic.bin.gz")"
  }
}
EOF
ls -l "$IMAGES" >&2
