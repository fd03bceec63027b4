// Package browsertest drives the whole site in headless Chromium, as a
// person would, and checks every page it visits with axe-core.
//
// It needs Debian's chromium (or the binary named by OGFORUM_CHROMIUM) and
// node_modules/axe-core at the repository root (`npm ci`). Without them the
// tests are skipped with a message, except under CI=true, where they fail.
package browsertest
