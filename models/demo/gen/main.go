// Command gen writes the demo directory of package demo: services.json,
// taxonomy.json and settings.json, as HSDS 3.0 JSON and local settings.
//
// Run it from the repository root with
//
//	go run ./models/demo/gen
//
// or with go generate ./models/demo. The output depends only on the tables
// in this folder, so running it twice gives the same bytes; a test fails
// when the committed files are stale.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	out := flag.String("out", "", "folder to write the files to (default: models/demo of the module)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		out = filepath.Join(root, "models", "demo")
	}
	files, err := Build()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("gen: wrote %s to %s\n", strings.Join(names, ", "), out)
	return nil
}

// moduleRoot finds the folder holding go.mod, from the working directory
// up, so that the command works from the repository root and from
// go generate in models/demo alike.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; pass -out")
		}
		dir = parent
	}
}
