package directory_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/tools/importbench/messy"
)

// BenchmarkImport100k imports a messy French contacts CSV of 100,000 rows
// (semicolons, BOM, accents, cells over several lines, organisations spelt
// several ways) into a fresh database of each engine. Peak memory comes
// from `go run ./tools/importbench`, which runs the import in a process of
// its own.
//
//	go test -run '^$' -bench Import100k -benchtime 1x ./internal/directory/
func BenchmarkImport100k(b *testing.B) {
	const rows = 100000
	var file bytes.Buffer
	if err := messy.WriteCSV(&file, rows, messy.UTF8BOM); err != nil {
		b.Fatal(err)
	}
	for _, engine := range storetest.Engines {
		b.Run(string(engine), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := storetest.Open(b, engine)
				b.StartTimer()
				res, err := directory.ImportPeople(context.Background(), db, bytes.NewReader(file.Bytes()), directory.ImportOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Created != rows || len(res.Errors) != 0 {
					b.Fatalf("created %d, errors %v", res.Created, res.Errors[:min(len(res.Errors), 5)])
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
