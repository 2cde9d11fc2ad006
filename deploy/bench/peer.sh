# Sourced by the benchmarks: makes the PyTorch peer runnable, as it must be measured. Debian's
# python3-torch does its matrix products through the system BLAS; with the reference BLAS (libblas3,
# what a bare install gets) it is 3-4x slower than with OpenBLAS, so libopenblas0-pthread comes with it.
# Sets PEER (the script) and PEER_READY (1 when it can run); installs with apt-get when run as root,
# else uses a torch that python3 already imports.
PEER="${TORCH_PEER:-$ROOT/../shared/bench/torch_peer.py}"
PEER_READY=0
peer_packages=(python3-torch libopenblas0-pthread)
peer_installed() {
  local p
  for p in "${peer_packages[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || return 1
  done
}
if [[ -f "$PEER" ]]; then
  if peer_installed; then
    PEER_READY=1
  elif [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "bench: installing the peer's packages: ${peer_packages[*]}" >&2
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${peer_packages[@]}" >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${peer_packages[@]}" >&2; }; then
      PEER_READY=1
    fi
  elif /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    PEER_READY=1   # torch from elsewhere; torch_peer.py itself refuses the reference BLAS
  fi
fi
if [[ "$PEER_READY" != 1 ]]; then
  echo "bench: peer not run (needs $PEER and Debian's ${peer_packages[*]}: apt-get install ${peer_packages[*]})" >&2
fi
