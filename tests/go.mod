module github.com/tracee-go/tracee/tests

go 1.26.8

replace github.com/tracee-go/tracee/proto => ../proto

require (
	github.com/tracee-go/tracee/proto v0.0.0
	gopkg.in/yaml.v3 v3.0.1
)
