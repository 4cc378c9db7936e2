#!/usr/bin/env bash
# A real multi-host LAN on one machine for lanchat's tests and benchmarks: every "host" is a
# Linux network namespace with a veth link to a bridge that lives in a namespace of its own.
# Nothing is ever created in, or sent on, the root namespace. Every name carries a prefix that
# starts with "lct", so `down` can remove exactly one run's namespaces and nothing else.
#
#   netns.sh up             [--hosts N] [--no-default-route] [--ipv6-only|--ipv4-only] [--prefix P] [--subnet S]
#   netns.sh up-multihomed  [--hosts N] [--no-default-route] [--ipv6-only|--ipv4-only] [--prefix P] [--subnet S]
#   netns.sh up-routed      [--hosts N] [--subnets K] [--prefix P] [--subnet S]
#   netns.sh down           --prefix P
#   netns.sh cut|restore    --prefix P HOST [--iface IF] [--admin]
#   netns.sh list           --prefix P
#
# `up` prints one JSON object describing the network (hosts, namespaces, interfaces, addresses).
# It is idempotent: an existing network with the same prefix is removed first.
# `up-routed` builds K subnets (bridges b0..bK-1, default 2) with the N hosts split between them in
# blocks (h1..h3 on b0, h4..h6 on b1 for N=6, K=2), joined by a router namespace "r" that forwards
# unicast IPv4 and IPv6 (ULA) but not multicast, like an office router between wired and Wi-Fi.
# --ipv4-only turns IPv6 off in every host (no link-local address, no ff02::fb): the bound a
# dual-stack floor is measured against.
set -euo pipefail

readonly BASE_OCTET_A=213 # bridge 0 → 10.213.S.0/24, bridge 1 → 10.214.S.0/24 (private range)
readonly GATEWAY_HOST=254 # the bridge namespace answers here so that a default route has a next hop
readonly MAX_HOSTS=200
readonly MAX_SUBNETS=4 # 10.213..10.216: stays inside 10/8 and clear of other runs' bridges
readonly ULA_PREFIX=fd13 # routed topology: fd13:S:B+1::/64 per subnet (a ULA, never routed outside)

die() {
  printf 'netns.sh: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces): run as root or skip the netns tests"
command -v ip >/dev/null || die "needs 'ip' from iproute2"

cmd=${1:-}
[[ -n $cmd ]] || usage
shift

hosts=3
subnets=2
default_route=1
ipv6_only=0
ipv4_only=0
prefix="lct-$$-"
prefix_given=0
subnet=""
iface=""
admin=0
target=""
while [[ $# -gt 0 ]]; do
  case $1 in
  --hosts) hosts=${2:?--hosts needs a number}; shift 2 ;;
  --no-default-route) default_route=0; shift ;;
  --ipv6-only) ipv6_only=1; shift ;;
  --ipv4-only) ipv4_only=1; shift ;;
  --prefix) prefix=${2:?--prefix needs a value}; prefix_given=1; shift 2 ;;
  --subnets) subnets=${2:?--subnets needs a number}; shift 2 ;;
  --subnet) subnet=${2:?--subnet needs a number 1-250}; shift 2 ;;
  --iface) iface=${2:?--iface needs an interface name}; shift 2 ;;
  --admin) admin=1; shift ;;
  -h | --help) usage ;;
  -*) die "unknown option $1" ;;
  *) [[ -z $target ]] || die "unexpected argument $1"; target=$1; shift ;;
  esac
done

# The prefix is the only thing that keeps one run from deleting another's namespaces: insist on
# "lct", something specific after it, and a trailing separator so "lct-1-" never matches "lct-12-h1".
[[ $prefix == *- ]] || prefix="$prefix-"
[[ $prefix =~ ^lct[A-Za-z0-9_-]*[A-Za-z0-9_]+-$ ]] ||
  die "prefix '$prefix' must start with 'lct', use [A-Za-z0-9_-] and have a specific part after 'lct'"
((${#prefix} <= 40)) || die "prefix '$prefix' is too long"

# Namespaces that belong to this prefix, found by exact prefix match (never a pattern).
own_namespaces() {
  local name
  ip netns list | while read -r name _; do
    [[ $name == "$prefix"* ]] && printf '%s\n' "$name"
  done
  return 0
}

ns_exists() { [[ -e /run/netns/$1 ]]; }

down() {
  local ns pids deadline
  mapfile -t namespaces < <(own_namespaces)
  ((${#namespaces[@]} > 0)) || return 0
  # Processes first (lanchat nodes, dbus-daemon, avahi-daemon): a namespace with a live process
  # in it outlives `ip netns del`, and its sockets would keep the bridge busy.
  for ns in "${namespaces[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -z $pids ]] || kill -TERM $pids 2>/dev/null || true
  done
  deadline=$((SECONDS + 3))
  for ns in "${namespaces[@]}"; do
    while pids=$(ip netns pids "$ns" 2>/dev/null || true) && [[ -n $pids ]]; do
      if ((SECONDS >= deadline)); then
        kill -KILL $pids 2>/dev/null || true
        break
      fi
      sleep 0.05 # polling for exit with a deadline above, not a fixed wait
    done
  done
  for ns in "${namespaces[@]}"; do
    ip netns del "$ns" 2>/dev/null || ! ns_exists "$ns" || die "could not delete namespace $ns"
  done
}

in_ns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

new_namespace() {
  local ns=$1
  ip netns add "$ns" || die "ip netns add $ns failed (is /run/netns writable? are namespaces allowed here?)"
  ip -n "$ns" link set lo up
}

# One bridge per namespace, multicast snooping off: the kernel bridge would otherwise drop group
# traffic for groups nobody has joined via IGMP/MLD yet, which is not how a dumb office switch acts.
new_bridge() {
  local ns=$1 gateway=$2
  new_namespace "$ns"
  # The bridge is a switch, not a host: no IPv6 on its ports means no RS/MLD noise in packet counts.
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_ns "$ns" sysctl -qw net.ipv4.ip_forward=0
  ip -n "$ns" link add br0 type bridge mcast_snooping 0
  ip -n "$ns" link set br0 up
  [[ -z $gateway ]] || ip -n "$ns" addr add "$gateway/24" dev br0
}

new_host() {
  local ns=$1
  new_namespace "$ns"
  if ((ipv4_only)); then
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    return
  fi
  # IPv6 on, and no duplicate address detection: a tentative link-local address cannot be used
  # for ff02::fb for ~1 s, which would make the first seconds of every test flaky.
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
}

# attach HOST_NS HOST_NAME IFACE BRIDGE_NS IPV4|"" GATEWAY|""
attach() {
  local host_ns=$1 host=$2 dev=$3 bridge_ns=$4 addr=$5 gateway=$6
  local port="v$host-$dev"
  ip -n "$bridge_ns" link add "$port" type veth peer name "$dev" netns "$host_ns"
  ip -n "$bridge_ns" link set "$port" master br0 up
  [[ -z $addr ]] || ip -n "$host_ns" addr add "$addr/24" dev "$dev"
  ip -n "$host_ns" link set "$dev" up
  [[ -z $gateway ]] || ip -n "$host_ns" route add default via "$gateway" dev "$dev"
}

# The kernel keeps ONE neighbour table (ARP, and NDP for IPv6) for all network namespaces, and
# its hard limit gc_thresh3 (default 1024) is read from the root namespace only. N hosts on one
# bridge need about N*(N+1) entries in it (every host resolves every other, plus multicast
# entries for IPv6), so from ~32 hosts on, new entries fail: "neighbor table overflow" in dmesg,
# TCP connects to some peers hang forever in SYN-SENT, and IPv6 multicast sends fail with EINVAL.
# 50 real machines each have their own table of 50 entries; this only makes the test LAN behave
# like them. The limits are raised (never lowered), because other runs may share the machine.
raise_neighbour_limits() {
  local need=$(($1 * ($1 + 4) * 2 + 1024)) family key current
  for family in ipv4 ipv6; do
    for key in gc_thresh1:4 gc_thresh2:2 gc_thresh3:1; do
      local file="/proc/sys/net/$family/neigh/default/${key%%:*}" want=$((need / ${key##*:}))
      [[ -w $file ]] || continue
      current=$(<"$file")
      ((current >= want)) || printf '%s\n' "$want" >"$file"
    done
  done
}

wait_link_local() {
  local ns=$1 dev=$2 deadline=$((SECONDS + 5))
  until ip -n "$ns" -6 addr show dev "$dev" scope link | grep -q 'inet6 fe80::' &&
    ! ip -n "$ns" -6 addr show dev "$dev" | grep -q tentative; do
    ((SECONDS < deadline)) || die "no IPv6 link-local address on $ns/$dev after 5 s"
    sleep 0.05
  done
}

link_local_of() {
  ((!ipv4_only)) || return 0
  ip -n "$1" -6 -o addr show dev "$2" scope link | awk '{ sub(/\/.*/, "", $4); print $4; exit }'
}

json_iface() {
  local ns=$1 dev=$2 bridge=$3 addr=$4
  local v6
  v6=$(link_local_of "$ns" "$dev")
  printf '{"name":"%s","bridge":"%s","ipv4":%s,"ipv6":%s}' "$dev" "$bridge" \
    "$([[ -n $addr ]] && printf '"%s"' "$addr" || printf null)" \
    "$([[ -n $v6 ]] && printf '"%s"' "$v6" || printf null)"
}

up() {
  local multihomed=$1
  [[ $hosts =~ ^[0-9]+$ ]] && ((hosts >= 1 && hosts <= MAX_HOSTS)) || die "--hosts must be 1..$MAX_HOSTS"
  ((!(ipv4_only && ipv6_only))) || die "--ipv4-only and --ipv6-only exclude each other"
  if [[ -z $subnet ]]; then
    # Derived from the prefix so that runs differ; namespaces isolate them anyway.
    subnet=$(($(printf '%s' "$prefix" | cksum | cut -d' ' -f1) % 250 + 1))
  fi
  [[ $subnet =~ ^[0-9]+$ ]] && ((subnet >= 1 && subnet <= 250)) || die "--subnet must be 1..250"
  down
  raise_neighbour_limits "$hosts"
  # A half-built network is removed again on any failure (set -e exit, die, or a signal).
  built=0 # global: the EXIT trap runs after this function has returned
  trap '((built)) || down' EXIT
  trap 'exit 130' INT TERM

  local bridges=1 b
  ((multihomed)) && bridges=2
  for ((b = 0; b < bridges; b++)); do
    local gw=""
    ((default_route && !ipv6_only)) && gw="10.$((BASE_OCTET_A + b)).$subnet.$GATEWAY_HOST"
    new_bridge "${prefix}b$b" "$gw"
  done

  local i json_hosts="" sep=""
  for ((i = 1; i <= hosts; i++)); do
    local host="h$i" ns="${prefix}h$i" ifaces="" isep=""
    new_host "$ns"
    # Multihomed: h1 sits on both bridges (eth0, eth1); the others alternate between them.
    local -a plan
    if ((multihomed && i == 1)); then
      plan=("eth0:0" "eth1:1")
    elif ((multihomed)); then
      plan=("eth0:$(((i - 2) % 2))")
    else
      plan=("eth0:0")
    fi
    local entry
    for entry in "${plan[@]}"; do
      local dev=${entry%%:*} br=${entry##*:} addr="" gw=""
      local net="10.$((BASE_OCTET_A + br)).$subnet"
      ((ipv6_only)) || addr="$net.$i"
      # Only the first interface of a host carries the default route, like a laptop whose second
      # interface is a lab LAN.
      ((default_route && !ipv6_only)) && [[ $dev == eth0 ]] && gw="$net.$GATEWAY_HOST"
      attach "$ns" "$host" "$dev" "${prefix}b$br" "$addr" "$gw"
      ((ipv4_only)) || wait_link_local "$ns" "$dev"
      ifaces+="$isep$(json_iface "$ns" "$dev" "b$br" "$addr")"
      isep=","
    done
    json_hosts+="$sep{\"name\":\"$host\",\"netns\":\"$ns\",\"interfaces\":[$ifaces]}"
    sep=","
  done
  built=1
  trap - INT TERM

  local bjson="" bsep=""
  for ((b = 0; b < bridges; b++)); do
    bjson+="$bsep{\"name\":\"b$b\",\"netns\":\"${prefix}b$b\",\"subnet\":\"10.$((BASE_OCTET_A + b)).$subnet.0/24\"}"
    bsep=","
  done
  printf '{"prefix":"%s","defaultRoute":%s,"ipv6Only":%s,"ipv4Only":%s,"multihomed":%s,"bridges":[%s],"hosts":[%s]}\n' \
    "$prefix" "$([[ $default_route == 1 ]] && echo true || echo false)" \
    "$([[ $ipv6_only == 1 ]] && echo true || echo false)" \
    "$([[ $ipv4_only == 1 ]] && echo true || echo false)" \
    "$([[ $multihomed == 1 ]] && echo true || echo false)" "$bjson" "$json_hosts"
}

# The router: one interface per subnet (ethB on bridge bB) with .254 and fd13:S:B::fe, forwarding
# unicast between them. Linux forwards no multicast without a multicast routing daemon (none runs
# here), and 224.0.0.251 / ff02::fb are link-local scope anyway: mDNS stays on its own subnet.
new_router() {
  local ns=$1 b
  new_host "$ns"
  in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  for ((b = 0; b < subnets; b++)); do
    attach "$ns" r "eth$b" "${prefix}b$b" "10.$((BASE_OCTET_A + b)).$subnet.$GATEWAY_HOST" ""
    ip -n "$ns" -6 addr add "$ULA_PREFIX:$subnet:$((b + 1))::fe/64" dev "eth$b" nodad
    wait_link_local "$ns" "eth$b"
  done
}

json_iface_routed() {
  local ns=$1 dev=$2 bridge=$3 addr=$4 ula=$5
  printf '{"name":"%s","bridge":"%s","ipv4":"%s","ipv6":"%s","ula":"%s"}' "$dev" "$bridge" "$addr" \
    "$(link_local_of "$ns" "$dev")" "$ula"
}

up_routed() {
  [[ $hosts =~ ^[0-9]+$ ]] && ((hosts >= 1 && hosts <= MAX_HOSTS)) || die "--hosts must be 1..$MAX_HOSTS"
  [[ $subnets =~ ^[0-9]+$ ]] && ((subnets >= 2 && subnets <= MAX_SUBNETS)) ||
    die "--subnets must be 2..$MAX_SUBNETS"
  ((hosts >= subnets)) || die "--hosts must be at least --subnets (one host per subnet)"
  ((!ipv4_only && !ipv6_only)) || die "up-routed is dual-stack: no --ipv4-only or --ipv6-only"
  if [[ -z $subnet ]]; then
    subnet=$(($(printf '%s' "$prefix" | cksum | cut -d' ' -f1) % 250 + 1))
  fi
  [[ $subnet =~ ^[0-9]+$ ]] && ((subnet >= 1 && subnet <= 250)) || die "--subnet must be 1..250"
  down
  raise_neighbour_limits "$hosts"
  built=0
  trap '((built)) || down' EXIT
  trap 'exit 130' INT TERM

  local b
  for ((b = 0; b < subnets; b++)); do new_bridge "${prefix}b$b" ""; done
  new_router "${prefix}r"

  local per=$(((hosts + subnets - 1) / subnets)) i json_hosts="" sep=""
  for ((i = 1; i <= hosts; i++)); do
    local host="h$i" ns="${prefix}h$i" br=$(((i - 1) / per))
    local addr="10.$((BASE_OCTET_A + br)).$subnet.$i" ula="$ULA_PREFIX:$subnet:$((br + 1))::$i"
    new_host "$ns"
    attach "$ns" "$host" eth0 "${prefix}b$br" "$addr" "10.$((BASE_OCTET_A + br)).$subnet.$GATEWAY_HOST"
    ip -n "$ns" -6 addr add "$ula/64" dev eth0 nodad
    ip -n "$ns" -6 route add default via "$ULA_PREFIX:$subnet:$((br + 1))::fe" dev eth0
    wait_link_local "$ns" eth0
    json_hosts+="$sep{\"name\":\"$host\",\"netns\":\"$ns\",\"subnet\":$br,\"interfaces\":[$(json_iface_routed "$ns" eth0 "b$br" "$addr" "$ula")]}"
    sep=","
  done
  built=1
  trap - INT TERM

  local bjson="" bsep="" rifaces="" rsep=""
  for ((b = 0; b < subnets; b++)); do
    bjson+="$bsep{\"name\":\"b$b\",\"netns\":\"${prefix}b$b\",\"subnet\":\"10.$((BASE_OCTET_A + b)).$subnet.0/24\",\"subnet6\":\"$ULA_PREFIX:$subnet:$((b + 1))::/64\"}"
    rifaces+="$rsep$(json_iface_routed "${prefix}r" "eth$b" "b$b" "10.$((BASE_OCTET_A + b)).$subnet.$GATEWAY_HOST" "$ULA_PREFIX:$subnet:$((b + 1))::fe")"
    bsep=","
    rsep=","
  done
  printf '{"prefix":"%s","defaultRoute":true,"ipv6Only":false,"multihomed":false,"bridges":[%s],"router":{"name":"r","netns":"%sr","interfaces":[%s]},"hosts":[%s]}\n' \
    "$prefix" "$bjson" "$prefix" "$rifaces" "$json_hosts"
}

# Cut = pull the cable: the bridge-side end goes down, so the host sees NO-CARRIER while keeping
# its configuration. --admin instead sets the host's own interface down (like `ifdown`).
set_link() {
  local state=$1
  [[ -n $target ]] || die "$cmd needs a HOST (e.g. h2)"
  local host=${target#"$prefix"}
  local host_ns="$prefix$host"
  ns_exists "$host_ns" || die "no namespace $host_ns"
  local found=0 bridge_ns dev
  if ((admin)); then
    for dev in $(ip -n "$host_ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
      [[ $dev == lo ]] && continue
      [[ -z $iface || $dev == "$iface" ]] || continue
      ip -n "$host_ns" link set "$dev" "$state"
      found=1
    done
  else
    while read -r bridge_ns; do
      [[ $bridge_ns =~ ^${prefix}b[0-9]+$ ]] || continue
      for dev in $(ip -n "$bridge_ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
        [[ $dev == "v$host-"* ]] || continue
        [[ -z $iface || $dev == "v$host-$iface" ]] || continue
        ip -n "$bridge_ns" link set "$dev" "$state"
        found=1
      done
    done < <(own_namespaces)
  fi
  ((found)) || die "no interface of $host${iface:+ named $iface} found under prefix $prefix"
}

case $cmd in
up) up 0 ;;
up-multihomed) up 1 ;;
up-routed) up_routed ;;
down)
  ((prefix_given)) || die "down needs --prefix (refusing to guess which namespaces to delete)"
  down
  ;;
cut) set_link down ;;
restore) set_link up ;;
list) own_namespaces ;;
*) usage ;;
esac
