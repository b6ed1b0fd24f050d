module github.com/tracee-go/tracee/tests

go 1.26.8
