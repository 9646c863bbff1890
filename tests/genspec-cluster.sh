#!/bin/sh
# Writes, for `make bench`, a cluster of NODES nodes with MAPS GPU mappings
# into DIR: DIR/node.host (one host description, MAPS GPUs, for tests/mkhost)
# and DIR/cluster.pass (a host block per node, all with the facts snapshot
# DIR/node.yaml, MAPS mappings with an entry per node, one VM per mapping).
set -eu
nodes=${1:?usage: genspec-cluster.sh NODES MAPS DIR}
maps=${2:?usage: genspec-cluster.sh NODES MAPS DIR}
dir=${3:?usage: genspec-cluster.sh NODES MAPS DIR}
awk -v m="$maps" 'BEGIN {
    print "layout plain\nhostname node\nkernel 6.8.12-4-pve\ncpu AuthenticAMD\niommu on"
    print "dev 00:00.0 1022:14d8 060000 group=0"
    for (i = 0; i < m; i++)
        printf "dev %02x:00.0 10de:2783 030000 sub=1043:8935 group=%d driver=vfio-pci reset=flr\n", i + 1, i + 10
}' >"$dir/node.host"
awk -v n="$nodes" -v m="$maps" 'BEGIN {
    for (k = 1; k <= n; k++)
        printf "host \"node%02d\" {\n    bind start\n    facts \"node.yaml\"\n}\n", k
    for (i = 0; i < m; i++) {
        printf "mapping \"gpu-%d\" {\n    description \"GPU %d\"\n", i, i
        for (k = 1; k <= n; k++)
            printf "    node \"node%02d\" %02x:00.0 10de:2783 subsystem 1043:8935 group %d\n", k, i + 1, i + 10
        print "}"
    }
    for (i = 0; i < m; i++)
        printf "vm %d \"gpu-%d\" {\n    machine q35\n    gpu mapping \"gpu-%d\" { primary }\n}\n", 2000 + i, i, i
}' >"$dir/cluster.pass"
