// Package sdktest helps test signatures: a Harness initialises a signature,
// feeds it events the way the engine does (only the events it selects) and
// collects its findings; small builders make events and arguments.
package sdktest
