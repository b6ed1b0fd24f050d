// Package container maps cgroups to container ids.
//
// A container id is read from the cgroup path. Recognised layouts (the
// innermost match wins, so nested containers resolve to the inner one):
//
//	/docker/<64hex>                                    docker (cgroupfs driver)
//	/system.slice/docker-<64hex>.scope                 docker (systemd driver)
//	/.../cri-containerd-<64hex>.scope                  containerd (systemd driver)
//	/.../kubepods-...slice:cri-containerd:<64hex>      containerd (cgroup v1 style name)
//	/kubepods/<qos>/pod<uid>/<64hex>                   containerd (cgroupfs driver; any CRI)
//	/.../crio-<64hex>.scope                            cri-o
//	/.../libpod-<64hex>.scope, /libpod_parent/libpod-<64hex>   podman
//
// Conmon scopes (crio-conmon-..., libpod-conmon-...) are not containers.
//
// Resolver maps the cgroup id of an event (the inode number of its cgroup
// v2 directory, what bpf_get_current_cgroup_id returns) to a container id:
// first through /proc/<pid>/cgroup of the event's process (checked against
// the inode), then by scanning the cgroup2 hierarchy, at most once per
// RescanInterval. Results, negative ones included, are cached in a
// bounded two-generation cache.
package container
