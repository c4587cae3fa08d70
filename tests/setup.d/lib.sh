# Shared helpers for tests/setup.d: source, don't run.
apt_updated=${apt_updated:-}

apt_update_once() {
  if [ -z "$apt_updated" ]; then
    if [ ! -f /etc/apt/sources.list.d/vgpuview-backports.list ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
      echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/vgpuview-backports.list
    fi
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt_updated=1
  fi
}

# need_pkgs PKG...: installs the packages that are not installed yet.
need_pkgs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
