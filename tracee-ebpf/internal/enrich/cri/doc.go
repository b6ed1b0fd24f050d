// Package cri asks the container runtimes for what a container id alone
// does not say: the container's name, its image and image digest, and for
// Kubernetes the pod's name, namespace and uid (from the runtime's labels
// io.kubernetes.pod.name, io.kubernetes.pod.namespace, io.kubernetes.pod.uid).
// Tracee's --containers/--cri conventions: each runtime is reached on its
// unix socket — Docker's Engine API (/var/run/docker.sock, plain HTTP) and
// containerd's gRPC API (/run/containerd/containerd.sock, namespaces moby
// and k8s.io, with containerd's API client module).
//
// Cache asks them in order, once per container: answers are kept in a
// bounded two-generation cache, "unknown" for a short while. A runtime that
// does not answer (no socket, refused, timeout) is skipped for a back-off
// period, so a runtime that is down costs the pipeline at most one bounded
// attempt per period and otherwise only the missing fields. Every failure
// is counted (Stats).
package cri
