package cri

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// DefaultContainerdSocket is where containerd's gRPC API listens.
const DefaultContainerdSocket = "/run/containerd/containerd.sock"

// DefaultNamespaces are the containerd namespaces asked, in order: Docker's
// and the Kubernetes CRI plugin's.
var DefaultNamespaces = []string{"moby", "k8s.io"}

// Containerd asks containerd's API (Containers.Get, Images.Get) over its
// unix socket.
//
// Why not containerd's API client module: its generated packages import
// google.golang.org/grpc, and the grpc version this workspace resolves to
// pulls a newer vtprotobuf whose generator changes every committed .pb.go.
// Two unary calls need only HTTP/2 cleartext (net/http) and protowire; the
// message field numbers are containerd's stable v1 API
// (api/services/containers/v1/containers.proto, images/v1/images.proto,
// types/descriptor.proto).
type Containerd struct {
	Socket     string
	Namespaces []string
	client     *http.Client
}

// NewContainerd returns a client for the socket (nothing is dialled yet).
func NewContainerd(socket string, namespaces ...string) *Containerd {
	if len(namespaces) == 0 {
		namespaces = DefaultNamespaces
	}
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	tr := &http.Transport{
		Protocols: &protos,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}
	return &Containerd{Socket: socket, Namespaces: namespaces, client: &http.Client{Transport: tr}}
}

// Name implements Runtime.
func (c *Containerd) Name() string { return "containerd" }

// gRPC status codes used here.
const (
	grpcOK       = 0
	grpcNotFound = 5
)

// call makes one unary gRPC call in namespace ns and returns the response
// message; a NotFound status is ErrNotFound.
func (c *Containerd) call(ctx context.Context, ns, method string, req []byte) ([]byte, error) {
	body := make([]byte, 5, 5+len(req))
	binary.BigEndian.PutUint32(body[1:], uint32(len(req)))
	body = append(body, req...)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://containerd"+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/grpc+proto")
	hreq.Header.Set("TE", "trailers")
	hreq.Header.Set("containerd-namespace", ns)
	resp, err := c.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("containerd %s: %w", c.Socket, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("containerd %s: %s: %w", c.Socket, method, err)
	}
	st := resp.Trailer.Get("Grpc-Status")
	if st == "" {
		st = resp.Header.Get("Grpc-Status") // trailers-only response
	}
	code, err := strconv.Atoi(st)
	if resp.StatusCode != http.StatusOK || err != nil {
		return nil, fmt.Errorf("containerd %s: %s: http %s, grpc-status %q", c.Socket, method, resp.Status, st)
	}
	switch code {
	case grpcOK:
	case grpcNotFound:
		return nil, ErrNotFound
	default:
		msg := resp.Trailer.Get("Grpc-Message")
		if msg == "" {
			msg = resp.Header.Get("Grpc-Message")
		}
		return nil, fmt.Errorf("containerd %s: %s: grpc status %d: %s", c.Socket, method, code, msg)
	}
	if len(data) < 5 || data[0] != 0 || int(binary.BigEndian.Uint32(data[1:5])) != len(data)-5 {
		return nil, fmt.Errorf("containerd %s: %s: malformed response (%d bytes)", c.Socket, method, len(data))
	}
	return data[5:], nil
}

// Inspect implements Runtime: the first namespace that has the container.
func (c *Containerd) Inspect(ctx context.Context, id string) (Info, error) {
	req := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), id) // GetContainerRequest.id
	for _, ns := range c.Namespaces {
		resp, err := c.call(ctx, ns, "/containerd.services.containers.v1.Containers/Get", req)
		if err == ErrNotFound {
			continue
		}
		if err != nil {
			return Info{}, err
		}
		ct, err := field(resp, 1) // GetContainerResponse.container
		if err != nil {
			return Info{}, fmt.Errorf("containerd %s: container %s: %w", c.Socket, id, err)
		}
		image, _ := field(ct, 3) // Container.image
		labels, err := labelsOf(ct, 2)
		if err != nil {
			return Info{}, fmt.Errorf("containerd %s: container %s: %w", c.Socket, id, err)
		}
		info := Info{Image: string(image)}
		info.fromLabels(labels)
		if info.Image != "" {
			info.ImageDigest = c.imageDigest(ctx, ns, info.Image)
		}
		return info, nil
	}
	return Info{}, ErrNotFound
}

// imageDigest is Images.Get(name).image.target.digest ("" when unknown).
func (c *Containerd) imageDigest(ctx context.Context, ns, name string) string {
	req := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), name)
	resp, err := c.call(ctx, ns, "/containerd.services.images.v1.Images/Get", req)
	if err != nil {
		return ""
	}
	img, _ := field(resp, 1)
	target, _ := field(img, 3)
	digest, _ := field(target, 2)
	return string(digest)
}

// field returns the last length-delimited field num of msg (nil if absent).
func field(msg []byte, num protowire.Number) ([]byte, error) {
	var out []byte
	err := walk(msg, func(n protowire.Number, v []byte) error {
		if n == num {
			out = v
		}
		return nil
	})
	return out, err
}

// labelsOf decodes the map<string,string> field num of msg.
func labelsOf(msg []byte, num protowire.Number) (map[string]string, error) {
	labels := map[string]string{}
	err := walk(msg, func(n protowire.Number, entry []byte) error {
		if n != num {
			return nil
		}
		k, err := field(entry, 1)
		if err != nil {
			return err
		}
		v, err := field(entry, 2)
		if err != nil {
			return err
		}
		labels[string(k)] = string(v)
		return nil
	})
	return labels, err
}

// walk calls fn for each length-delimited field of msg and skips the rest.
func walk(msg []byte, fn func(protowire.Number, []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return fmt.Errorf("protobuf: %w", protowire.ParseError(n))
		}
		msg = msg[n:]
		if typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(msg)
			if m < 0 {
				return fmt.Errorf("protobuf field %d: %w", num, protowire.ParseError(m))
			}
			if err := fn(num, v); err != nil {
				return err
			}
			msg = msg[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, msg)
		if m < 0 {
			return fmt.Errorf("protobuf field %d: %w", num, protowire.ParseError(m))
		}
		msg = msg[m:]
	}
	return nil
}
