// Package deploy holds no code: its tests check the Kubernetes manifests
// (kubernetes/) and the Helm chart (helm/tracee) with Kubernetes' own API
// types and Helm's own linter and renderer. It is a module of its own so
// that the binaries do not depend on Helm.
package deploy
