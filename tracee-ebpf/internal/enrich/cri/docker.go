package cri

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// DefaultDockerSocket is where Docker's Engine API listens.
const DefaultDockerSocket = "/var/run/docker.sock"

// Docker asks the Docker Engine API over its unix socket.
type Docker struct {
	Socket string
	client *http.Client

	mu     sync.Mutex
	digest map[string]string // image id -> digest (bounded)
}

// NewDocker returns a client for the socket (nothing is dialled yet).
func NewDocker(socket string) *Docker {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns:      2,
		DisableKeepAlives: false,
	}
	return &Docker{Socket: socket, client: &http.Client{Transport: tr}, digest: map[string]string{}}
}

// Name implements Runtime.
func (d *Docker) Name() string { return "docker" }

// dockerContainer is the part of GET /containers/{id}/json used here.
type dockerContainer struct {
	Name   string `json:"Name"`
	Image  string `json:"Image"` // image id
	Config struct {
		Image  string            `json:"Image"` // as given to docker run
		Labels map[string]string `json:"Labels"`
	} `json:"Config"`
}

type dockerImage struct {
	ID          string   `json:"Id"`
	RepoDigests []string `json:"RepoDigests"`
}

// get decodes GET path into v; a 404 is ErrNotFound.
func (d *Docker) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("docker %s: %w", d.Socket, err)
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, 4<<20)
	switch {
	case resp.StatusCode == http.StatusNotFound:
		io.Copy(io.Discard, body)
		return ErrNotFound
	case resp.StatusCode != http.StatusOK:
		msg, _ := io.ReadAll(io.LimitReader(body, 512))
		return fmt.Errorf("docker %s: GET %s: %s: %s", d.Socket, path, resp.Status, strings.TrimSpace(string(msg)))
	}
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return fmt.Errorf("docker %s: GET %s: %w", d.Socket, path, err)
	}
	return nil
}

// Inspect implements Runtime.
func (d *Docker) Inspect(ctx context.Context, id string) (Info, error) {
	var c dockerContainer
	if err := d.get(ctx, "/containers/"+url.PathEscape(id)+"/json", &c); err != nil {
		return Info{}, err
	}
	info := Info{Name: strings.TrimPrefix(c.Name, "/"), Image: c.Config.Image, ImageDigest: d.imageDigest(ctx, c.Image)}
	info.fromLabels(c.Config.Labels)
	return info, nil
}

// imageDigest is the image's repository digest when it has one (pulled
// from a registry), else its id; "" when it cannot be read.
func (d *Docker) imageDigest(ctx context.Context, imageID string) string {
	if imageID == "" {
		return ""
	}
	d.mu.Lock()
	dg, ok := d.digest[imageID]
	d.mu.Unlock()
	if ok {
		return dg
	}
	var img dockerImage
	if err := d.get(ctx, "/images/"+url.PathEscape(imageID)+"/json", &img); err != nil {
		return imageID // the container's image id is a digest too
	}
	dg = img.ID
	if len(img.RepoDigests) > 0 {
		if _, digest, ok := strings.Cut(img.RepoDigests[0], "@"); ok {
			dg = digest
		}
	}
	d.mu.Lock()
	if len(d.digest) >= 1024 {
		clear(d.digest)
	}
	d.digest[imageID] = dg
	d.mu.Unlock()
	return dg
}
