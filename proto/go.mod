module github.com/tracee-go/tracee/proto

go 1.26.8

require google.golang.org/protobuf v1.36.12

require (
	github.com/planetscale/vtprotobuf v0.6.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
