package settings_test

import (
	"context"
	"testing"

	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestSettingsDefaultsSaveAndValidate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := settings.Load(ctx, db)
		if err != nil || s != settings.Defaults {
			t.Fatalf("empty database: %+v, %v; want defaults", s, err)
		}
		s.Controller = "  Direction interministérielle du numérique "
		s.RetentionMonths = 36
		if fe, err := settings.Save(ctx, db, s); err != nil || len(fe) > 0 {
			t.Fatalf("save: %v %v", fe, err)
		}
		got, _ := settings.Load(ctx, db)
		if got.Controller != "Direction interministérielle du numérique" || got.RetentionMonths != 36 {
			t.Fatalf("after save: %+v", got)
		}
		bad := got
		bad.SiteName, bad.RetentionMonths = "", 0
		fe, err := settings.Save(ctx, db, bad)
		if err != nil || fe["site_name"] != "error.required" || fe["retention_months"] != "error.retention_range" {
			t.Fatalf("invalid settings: %v %v", fe, err)
		}
		if after, _ := settings.Load(ctx, db); after != got {
			t.Fatalf("invalid save changed the settings: %+v", after)
		}
	})
}
