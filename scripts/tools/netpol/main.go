// Command netpol evaluates flows against a set of NetworkPolicies with cyclonus's matcher, the NetworkPolicy
// semantics of the Kubernetes network-policy conformance work (github.com/mattfenwick/cyclonus). Its own CLI reads
// one policy per file and always exits 0, so the render check calls the library through this program.
//
// Input (the file named by the only argument): {"policies": [NetworkPolicy...], "flows": [Flow...]}.
// Output (stdout): one verdict per flow, in order, with the policies that selected each end and whether they
// allowed it. Exits non-zero only when it cannot evaluate.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Peer is a pod (namespace, its labels, the pod's labels) or an address outside the cluster (no namespace).
type Peer struct {
	Namespace       string            `json:"namespace,omitempty"`
	NamespaceLabels map[string]string `json:"namespaceLabels,omitempty"`
	PodLabels       map[string]string `json:"podLabels,omitempty"`
	IP              string            `json:"ip"`
}

type Flow struct {
	Source      Peer   `json:"source"`
	Destination Peer   `json:"destination"`
	Port        int    `json:"port"`
	PortName    string `json:"portName,omitempty"`
	Protocol    string `json:"protocol"`
}

type Input struct {
	Policies []*networkingv1.NetworkPolicy `json:"policies"`
	Flows    []Flow                        `json:"flows"`
}

// Direction is one end's verdict: the policies that select the pod at that end, split by whether they allow the flow.
type Direction struct {
	Allowed  bool     `json:"allowed"`
	Allowing []string `json:"allowing"`
	Denying  []string `json:"denying"`
}

type Verdict struct {
	Allowed bool      `json:"allowed"`
	Egress  Direction `json:"egress"`
	Ingress Direction `json:"ingress"`
}

func peer(p Peer) *matcher.TrafficPeer {
	if p.Namespace == "" {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	return &matcher.TrafficPeer{IP: p.IP, Internal: &matcher.InternalPeer{Namespace: p.Namespace, NamespaceLabels: p.NamespaceLabels, PodLabels: p.PodLabels}}
}

func names(targets []*matcher.Target) []string {
	out := []string{}
	for _, t := range targets {
		for _, rule := range t.SourceRules {
			out = append(out, rule.Namespace+"/"+rule.Name)
		}
	}
	return out
}

func direction(d *matcher.DirectionResult) Direction {
	return Direction{Allowed: d.IsAllowed(), Allowing: names(d.AllowingTargets), Denying: names(d.DenyingTargets)}
}

func run(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var input Input
	if err := json.Unmarshal(data, &input); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// simplify=false keeps each target's source policies apart, so a verdict names the policies behind it.
	policy := matcher.BuildNetworkPolicies(false, input.Policies)
	verdicts := make([]Verdict, 0, len(input.Flows))
	for _, f := range input.Flows {
		result := policy.IsTrafficAllowed(&matcher.Traffic{
			Source:           peer(f.Source),
			Destination:      peer(f.Destination),
			ResolvedPort:     f.Port,
			ResolvedPortName: f.PortName,
			Protocol:         v1.Protocol(f.Protocol),
		})
		verdicts = append(verdicts, Verdict{Allowed: result.IsAllowed(), Egress: direction(result.Egress), Ingress: direction(result.Ingress)})
	}
	return json.NewEncoder(os.Stdout).Encode(verdicts)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: netpol <input.json>")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
