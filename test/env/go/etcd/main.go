// Command etcd runs the etcd server; built from Go modules because distribution packages lag behind.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
