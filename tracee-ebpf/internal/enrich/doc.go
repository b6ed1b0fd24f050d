// Package enrich adds what the kernel record lacks to events: the process
// ancestry (subpackage proctree) and the container id (subpackage
// container). Enricher joins them for the pipeline.
package enrich
