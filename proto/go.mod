module github.com/tracee-go/tracee/proto

go 1.26.8

require (
	github.com/planetscale/vtprotobuf v0.6.0
	google.golang.org/protobuf v1.36.12
)
