// Which URNs the Pulumi CLI's --exclude globs match, decided by the CLI's own code at the pinned version
// (pkg/resource/deploy: NewUrnTargets, UrnTargets.Contains), not by a copy of its rules.
//
//	urn-globs '<JSON array of globs>' < urns.txt   # prints true or false per URN line
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func main() {
	var globs []string
	if len(os.Args) != 2 || json.Unmarshal([]byte(os.Args[1]), &globs) != nil {
		fmt.Fprintln(os.Stderr, "usage: urn-globs '<JSON array of globs>' < urns")
		os.Exit(2)
	}
	targets := deploy.NewUrnTargets(globs)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		fmt.Println(targets.Contains(resource.URN(in.Text())))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
